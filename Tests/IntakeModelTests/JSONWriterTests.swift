import Foundation
import IntakeModel
import Testing

@Suite("JSONWriter")
struct JSONWriterTests {
    static func string(_ value: String) -> String {
        var out: [UInt8] = []
        JSONWriter.appendString(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("say \"hi\"", #""say \"hi\"""#),
        (#"C:\dir\file"#, #""C:\\dir\\file""#),
        ("line1\nline2", #""line1\nline2""#),
        ("cr\rlf", #""cr\rlf""#),
        ("tab\tbed", #""tab\tbed""#),
        ("\u{0}", #""\u0000""#),
        ("\u{1}\u{8}\u{B}\u{C}\u{1B}\u{1F}", #""\u0001\u0008\u000b\u000c\u001b\u001f""#),
        ("a/b", #""a/b""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("\\\"", #""\\\"""#),
    ])
    func escapesWhatRFC8259Requires(input: String, expected: String) {
        #expect(Self.string(input) == expected)
    }

    @Test(arguments: ["café", "日本語", "🙂👍🏽", "Ωmega", "\u{2028}\u{2029}", "e\u{301}"])
    func leavesUnicodeAsItIs(input: String) {
        var out: [UInt8] = []
        JSONWriter.appendString(input, to: &out)
        #expect(out == [UInt8(ascii: "\"")] + Array(input.utf8) + [UInt8(ascii: "\"")])
    }

    @Test func everyControlCharacterRoundTripsThroughAJSONParser() throws {
        let input = String((0..<0x20).map { Character(UnicodeScalar(UInt8($0))) }) + "\"\\/é🙂"
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("k", string: input, to: &out)
        JSONWriter.appendObjectEnd(&out)
        for byte in out.dropFirst().dropLast() where byte < 0x20 {
            Issue.record("raw control byte \(byte) in output")
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(out)) as? [String: String]
        #expect(parsed?["k"] == input)
    }

    @Test func writesMembersSeparatedByCommas() {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("access_token", string: "a.b.c", to: &out)
        JSONWriter.appendMember("token_type", string: "Bearer", to: &out)
        JSONWriter.appendMember("expires_in", integer: 3600, to: &out)
        JSONWriter.appendObjectEnd(&out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"access_token":"a.b.c","token_type":"Bearer","expires_in":3600}"#)
    }

    @Test func emptyObject() {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendObjectEnd(&out)
        #expect(String(decoding: out, as: UTF8.self) == "{}")
    }

    @Test(arguments: [Int64(0), -1, 42, Int64.max, Int64.min, 9_007_199_254_740_993])
    func writesIntegersExactly(value: Int64) {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("n", integer: value, to: &out)
        JSONWriter.appendObjectEnd(&out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"n":\#(value)}"#)
    }

    @Test func nestedObjectStartsWithoutALeadingComma() {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("a", integer: 1, to: &out)
        JSONWriter.appendKey("inner", to: &out)
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("b", integer: 2, to: &out)
        JSONWriter.appendObjectEnd(&out)
        JSONWriter.appendMember("c", integer: 3, to: &out)
        JSONWriter.appendObjectEnd(&out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":1,"inner":{"b":2},"c":3}"#)
    }

    @Test func keysAreEscapedToo() throws {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("we\"ird\nkey", string: "v", to: &out)
        JSONWriter.appendObjectEnd(&out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"we\"ird\nkey":"v"}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(out)) as? [String: String]
        #expect(parsed == ["we\"ird\nkey": "v"])
    }
}
