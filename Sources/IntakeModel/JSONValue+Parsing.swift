extension JSONValue {
    /// Why bytes are not one JSON document.
    public struct ParseError: Error, Equatable, Sendable {
        /// Byte offset where parsing stopped.
        public var offset: Int
    }

    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    public static let maximumParseDepth = 256

    /// Parses one JSON document (RFC 8259, UTF-8; any value at the top).
    ///
    /// A strict recursive-descent parser of our own: `Decodable` costs 30 to 55 µs per event here
    /// (every wrong guess at a value's type throws), and Foundation's `JSONSerialization` on Linux
    /// accepts trailing commas and wraps integers above `Int64.max`. Integers that fit in 64 bits
    /// stay integers; other numbers become doubles.
    ///
    /// ```swift
    /// let value = try JSONValue(parsing: Array(#"{"seats": 3}"#.utf8))   // .object(["seats": .integer(3)])
    /// ```
    public init(parsing bytes: some Collection<UInt8>) throws(ParseError) {
        var parser = JSONParser(bytes: Array(bytes), rejectsDuplicateNames: false)
        self = try parser.parseDocument()
    }

    /// Parses one JSON document like ``init(parsing:)``, and refuses an object that names a member
    /// twice (RFC 7519 §4: a JWT with duplicate claim names is rejected, never read first-wins).
    package init(parsingRejectingDuplicateNames bytes: some Collection<UInt8>) throws(ParseError) {
        var parser = JSONParser(bytes: Array(bytes), rejectsDuplicateNames: true)
        self = try parser.parseDocument()
    }
}

/// The parser behind ``JSONValue/init(parsing:)``.
private struct JSONParser {
    let bytes: [UInt8]
    /// Otherwise the last of a repeated name wins.
    let rejectsDuplicateNames: Bool
    var index = 0

    init(bytes: [UInt8], rejectsDuplicateNames: Bool) {
        self.bytes = bytes
        self.rejectsDuplicateNames = rejectsDuplicateNames
    }

    mutating func parseDocument() throws(JSONValue.ParseError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw fail() }
        return value
    }

    private func fail() -> JSONValue.ParseError { JSONValue.ParseError(offset: index) }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw fail() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try parseNumber()
        }
    }

    private mutating func expect(_ literal: StaticString) throws(JSONValue.ParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail() }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw fail() }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard depth <= JSONValue.maximumParseDepth else { throw fail() }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail() }
            let keyOffset = index
            let key = try parseString()
            if rejectsDuplicateNames, members[key] != nil { throw JSONValue.ParseError(offset: keyOffset) }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail() }
            index += 1
            members[key] = try parseValue(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw fail() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            } else {
                throw fail()
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard depth <= JSONValue.maximumParseDepth else { throw fail() }
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            values.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw fail() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            } else {
                throw fail()
            }
        }
    }

    private mutating func parseString() throws(JSONValue.ParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        var isASCII = true
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
            isASCII = isASCII && bytes[index] < 0x80
            index += 1
        }
        guard index < bytes.count else { throw fail() }
        if bytes[index] == UInt8(ascii: "\"") {
            // ASCII is valid UTF-8 as it is, and `String(validating:)` instantiates generic metadata
            // at run time on every call (2.2 µs of each event post, `scripts/profile.sh event`).
            let slice = bytes[start..<index]
            guard let text = isASCII ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self) else {
                throw fail()
            }
            index += 1
            return text
        }
        var unescaped = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw fail() }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: unescaped, as: UTF8.self) else { throw fail() }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"): unescaped.append(contentsOf: try parseUnicodeEscape())
                default: throw fail()
                }
            case 0..<0x20:
                throw fail()
            default:
                unescaped.append(byte)
                index += 1
            }
        }
    }

    /// The UTF-8 bytes of `\uXXXX` (its `\u` already read), joining a surrogate pair.
    private mutating func parseUnicodeEscape() throws(JSONValue.ParseError) -> [UInt8] {
        let first = try parseHex4()
        var scalarValue = first
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw fail()
            }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw fail() }
            scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { throw fail() }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func parseHex4() throws(JSONValue.ParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail()
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func parseNumber() throws(JSONValue.ParseError) -> JSONValue {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, !(integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0")) else { throw fail() }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw fail() }
            isInteger = false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail() }
            isInteger = false
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let number = Double(text), number.isFinite else { throw fail() }
        return .number(number)
    }
}
