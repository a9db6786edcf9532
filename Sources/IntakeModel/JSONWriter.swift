/// Writes small JSON documents straight into bytes, for the responses on hot paths where a
/// `JSONEncoder` pass would cost more than the work itself.
///
/// ```swift
/// var out: [UInt8] = []
/// JSONWriter.appendObjectStart(&out)
/// JSONWriter.appendMember("token_type", string: "Bearer", to: &out)
/// JSONWriter.appendMember("expires_in", integer: 3600, to: &out)
/// JSONWriter.appendObjectEnd(&out)
/// ```
package enum JSONWriter {
    package static func appendObjectStart(_ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
    }

    package static func appendObjectEnd(_ out: inout [UInt8]) {
        out.append(UInt8(ascii: "}"))
    }

    /// Appends `"key":` preceded by a comma unless it is the object's first member.
    package static func appendKey(_ key: String, to out: inout [UInt8]) {
        if let last = out.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") {
            out.append(UInt8(ascii: ","))
        }
        appendString(key, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    package static func appendMember(_ key: String, string value: String, to out: inout [UInt8]) {
        appendKey(key, to: &out)
        appendString(value, to: &out)
    }

    /// `"key":["a","b"]`.
    package static func appendMember(_ key: String, strings values: [String], to out: inout [UInt8]) {
        appendKey(key, to: &out)
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    package static func appendMember(_ key: String, integer value: Int64, to out: inout [UInt8]) {
        appendKey(key, to: &out)
        out.append(contentsOf: String(value).utf8)
    }

    package static func appendMember(_ key: String, bool value: Bool, to out: inout [UInt8]) {
        appendKey(key, to: &out)
        out.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    /// Appends `value` as a JSON string: quotes, backslashes and control characters escaped
    /// (RFC 8259 §7); `/` and non-ASCII are written as they are.
    package static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            // Most strings (ids, tokens, labels) need no escaping: copy them in one go.
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                appendEscaped(byte, to: &out)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        default: out.append(byte)
        }
    }
}
