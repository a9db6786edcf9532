/// An `application/x-www-form-urlencoded` body, decoded strictly: a parameter sent twice or a bad
/// percent-escape is an error, as RFC 6749 §3.2 asks of the token endpoint.
///
/// ```swift
/// let form = try FormParameters(decoding: Array("grant_type=client_credentials&scope=events%3Awrite".utf8))
/// form["scope"] // "events:write"
/// ```
struct FormParameters {
    enum DecodingError: Error, Equatable {
        case repeated(String)
        case malformed
    }

    /// A token request has three or four parameters: a list beats a dictionary here.
    private var parameters: [(name: String, value: String)] = []

    init(decoding body: some Collection<UInt8>) throws(DecodingError) {
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let nameEnd = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            guard let name = Self.percentDecoded(pair[pair.startIndex..<nameEnd]) else { throw .malformed }
            let rawValue = nameEnd == pair.endIndex ? pair[nameEnd...] : pair[pair.index(after: nameEnd)...]
            guard let value = Self.percentDecoded(rawValue) else { throw .malformed }
            guard self[name] == nil else { throw .repeated(name) }
            parameters.append((name, value))
        }
    }

    subscript(name: String) -> String? { parameters.first { $0.name == name }?.value }

    /// Form decoding (`+` is a space, `%XX` a byte) of UTF-8 text; nil when an escape or the
    /// resulting bytes are malformed.
    static func percentDecoded(_ encoded: some Collection<UInt8>) -> String? {
        guard encoded.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(validating: encoded, as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index != encoded.endIndex {
            let byte = encoded[index]
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = encoded.index(after: index)
                guard high != encoded.endIndex else { return nil }
                let low = encoded.index(after: high)
                guard low != encoded.endIndex, let h = hexValue(encoded[high]), let l = hexValue(encoded[low]) else {
                    return nil
                }
                bytes.append(h << 4 | l)
                index = low
            default:
                bytes.append(byte)
            }
            index = encoded.index(after: index)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
