import ExtrasBase64

/// Client id and secret from `Authorization: Basic …`.
///
/// RFC 7617 clients send `id:secret` as UTF-8; RFC 6749 §2.3.1 clients form-urlencode each part
/// first. Both are accepted: each part is form-decoded, which leaves our own ids and secrets
/// (unreserved characters only) unchanged, and is skipped for a part that is not valid form encoding.
/// Parsed on bytes: this runs on every token request.
///
/// ```swift
/// let credentials = try BasicCredentials(header: "Basic Y2xpZW50OnNlY3JldA==")   // client / secret
/// ```
struct BasicCredentials {
    enum ParseError: Error {
        case notBasic
        case malformed
    }

    var clientID: String
    var secret: String

    init(header: String) throws(ParseError) {
        let bytes = Array(header.utf8)
        let scheme = Array("basic".utf8)
        guard bytes.count >= scheme.count,
            zip(bytes, scheme).allSatisfy({ ($0 | 0x20) == $1 }),
            bytes.count == scheme.count || bytes[scheme.count] == UInt8(ascii: " ")
        else { throw .notBasic }
        var encoded = bytes[scheme.count...]
        while encoded.first == UInt8(ascii: " ") { encoded = encoded.dropFirst() }
        while encoded.last == UInt8(ascii: " ") || encoded.last == UInt8(ascii: "\t") { encoded = encoded.dropLast() }
        guard !encoded.isEmpty,
            let decoded = (try? Base64.decode(bytes: encoded))
                ?? (try? Base64.decode(bytes: encoded, options: .omitPaddingCharacter)),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":")), colon > 0
        else { throw .malformed }
        guard let clientID = Self.decodePart(decoded[..<colon]),
            let secret = Self.decodePart(decoded[(colon + 1)...])
        else { throw .malformed }
        self.clientID = clientID
        self.secret = secret
    }

    /// The form-decoded part, or the raw part when it is not form encoding; nil when not UTF-8.
    private static func decodePart(_ part: ArraySlice<UInt8>) -> String? {
        FormParameters.percentDecoded(part) ?? String(validating: part, as: UTF8.self)
    }
}
