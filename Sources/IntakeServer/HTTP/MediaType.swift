/// The essence of a `Content-Type` value (RFC 9110 §8.3.1): type/subtype, lowercased, without
/// parameters. Done by hand because Foundation's trimming showed up at 5% of the token endpoint's CPU.
///
/// ```swift
/// MediaType.essence(of: "Application/JSON; charset=utf-8") // "application/json"
/// ```
enum MediaType {
    static func essence(of value: String) -> String {
        var bytes = value.utf8[...]
        if let semicolon = bytes.firstIndex(of: UInt8(ascii: ";")) { bytes = bytes[..<semicolon] }
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes = bytes.dropLast() }
        return String(decoding: bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
