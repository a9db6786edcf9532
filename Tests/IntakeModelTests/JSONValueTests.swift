import Foundation
import IntakeModel
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    /// Both ways text becomes a JSONValue: `Decodable` and the strict parser.
    enum Reader: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case decodable
        case parsing

        func read(_ text: String) throws -> JSONValue {
            switch self {
            case .decodable: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            case .parsing: try JSONValue(parsing: Data(text.utf8))
            }
        }

        var testDescription: String { rawValue }
    }

    static let integers: [Int64] = [
        0, 1, -1, 42, -42, 4_294_967_297, -4_294_967_297, 9_007_199_254_740_993, -9_007_199_254_740_993,
        999_999_999_999_999_999, -999_999_999_999_999_999, 1_000_000_000_000_000_001, -1_000_000_000_000_000_001,
        Int64.max, Int64.min + 1, Int64.min,
    ]

    @Test(arguments: Reader.allCases, integers)
    func integersThatFitIn64BitsKeepEveryDigit(reader: Reader, value: Int64) throws {
        #expect(try reader.read(String(value)) == .integer(value))
        #expect(try reader.read(#"{"n":\#(value)}"#) == .object(["n": .integer(value)]))
        #expect(try reader.read("[\(value)]") == .array([.integer(value)]))
    }

    @Test(arguments: Reader.allCases, ["9223372036854775808", "18446744073709551615", "-9223372036854775809", "100000000000000000000"])
    func integersBeyond64BitsAreNotWrapped(reader: Reader, text: String) throws {
        // Too big for Int64: a Double is the best that can be kept, never a different integer.
        let value = try reader.read(text)
        let expected = try #require(Double(text))
        #expect(value == .number(expected), "\(text) read as \(value)")
    }

    @Test(arguments: Reader.allCases)
    func booleansAndNumbersAreToldApart(reader: Reader) throws {
        let value = try reader.read(#"{"t":true,"f":false,"one":1,"zero":0,"half":0.5,"float":1.0,"exp":1e3,"neg":-2.5}"#)
        guard case .object(let members) = value else { Issue.record("not an object: \(value)"); return }
        #expect(members["t"] == .bool(true))
        #expect(members["f"] == .bool(false))
        #expect(members["one"] == .integer(1))
        #expect(members["zero"] == .integer(0))
        #expect(members["half"] == .number(0.5))
        #expect(members["neg"] == .number(-2.5))
        // 1.0 and 1e3 may come back as integers or doubles, but with their value.
        for key in ["float", "exp"] {
            switch members[key] {
            case .integer(let n)?: #expect(Double(n) == (key == "float" ? 1 : 1000))
            case .number(let d)?: #expect(d == (key == "float" ? 1 : 1000))
            default: Issue.record("\(key) read as \(String(describing: members[key]))")
            }
        }
    }

    @Test(arguments: Reader.allCases)
    func stringsNullsAndNesting(reader: Reader) throws {
        let value = try reader.read(#"{"s":"é \"q\" \\ \n 🙂","n":null,"a":[1,"x",[],{}],"o":{"p":{"q":[null]}}}"#)
        #expect(value == .object([
            "s": .string("é \"q\" \\ \n 🙂"),
            "n": .null,
            "a": .array([.integer(1), .string("x"), .array([]), .object([:])]),
            "o": .object(["p": .object(["q": .array([.null])])]),
        ]))
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,]", "nul", "'x'", "{\"a\":1}}"])
    func parsingRefusesMalformedJSON(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Data(text.utf8)) }
    }

    @Test(
        "A string that is not UTF-8 is refused, after ASCII, before it or alone",
        arguments: [[0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0xFF, 0x41]] as [[UInt8]])
    func parsingRefusesStringsThatAreNotUTF8(bytes: [UInt8]) {
        for prefix in ["", "ascii "] {
            let document = Array(#"{"s":""#.utf8) + Array(prefix.utf8) + bytes + Array(#""}"#.utf8)
            #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: document) }
        }
    }

    @Test func parsingKeepsASCIIAndMultibyteStrings() throws {
        let value = try JSONValue(parsing: Array(#"{"a":"plain ascii","b":"caf\#u{E9} 🙂"}"#.utf8))
        #expect(value == .object(["a": .string("plain ascii"), "b": .string("caf\u{E9} 🙂")]))
    }

    static let samples: [JSONValue] = [
        .null, .bool(true), .bool(false), .integer(Int64.min), .integer(Int64.max), .integer(9_007_199_254_740_993),
        .number(1.5), .number(-0.000_123), .number(1e300), .string(""), .string("quote \" slash / back \\ ctrl \u{1} é 🙂"),
        .array([]), .object([:]),
        .object(["b": .integer(1), "a": .array([.null, .object(["z": .bool(false), "y": .string("x")])])]),
    ]

    @Test(arguments: samples)
    func writtenJSONReadsBackEqual(value: JSONValue) throws {
        let text = value.jsonText
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) == value, "\(text)")
        #expect(try JSONValue(parsing: Data(text.utf8)) == value, "\(text)")
    }

    @Test func writingSortsKeysAndIsCompact() {
        let value = JSONValue.object(["b": .integer(1), "a": .null, "c": .object(["y": .bool(true), "x": .array([.integer(1), .integer(2)])])])
        #expect(value.jsonText == #"{"a":null,"b":1,"c":{"x":[1,2],"y":true}}"#)
    }

    @Test func codableRoundTrip() throws {
        for value in Self.samples {
            let data = try JSONEncoder().encode(value)
            #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        }
    }

    @Test(arguments: [
        (JSONValue.integer(1), 0, 1), (.object([:]), 1, 1), (.array([.integer(1), .integer(2)]), 1, 3),
        (.object(["a": .object(["b": .array([.null])])]), 3, 4),
    ])
    func depthAndNodeCount(value: JSONValue, depth: Int, nodes: Int) {
        #expect(value.depth == depth)
        #expect(value.nodeCount == nodes)
    }

    @Test(arguments: [
        (JSONValue.null, "null"), (.bool(true), "boolean"), (.integer(1), "number"), (.number(1.5), "number"),
        (.string(""), "string"), (.array([]), "array"), (.object([:]), "object"),
    ])
    func typeNames(value: JSONValue, name: String) {
        #expect(value.typeName == name)
    }
}

@Suite struct JSONValueLiteralTests {
    @Test func literalsBuildTheValuesTheyLookLike() {
        let fields: [String: JSONValue] = [
            "email": "ada@example.com", "seats": 3, "ratio": 0.5, "trial": true, "tags": ["b2b", 1], "none": nil,
            "nested": ["plan": "pro"],
        ]
        #expect(fields["email"] == .string("ada@example.com"))
        #expect(fields["seats"] == .integer(3))
        #expect(fields["ratio"] == .number(0.5))
        #expect(fields["trial"] == .bool(true))
        #expect(fields["tags"] == .array([.string("b2b"), .integer(1)]))
        #expect(fields["none"] == .null)
        #expect(fields["nested"] == .object(["plan": .string("pro")]))
        #expect(JSONValue.object(fields).jsonText
            == #"{"email":"ada@example.com","nested":{"plan":"pro"},"none":null,"ratio":0.5,"seats":3,"tags":["b2b",1],"trial":true}"#)
    }
}
