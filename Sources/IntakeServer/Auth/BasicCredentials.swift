import ExtrasBase64

/// Client id and secret from `Authorization: Basic …`.
///
/// RFC 7617 clients send `id:secret` as UTF-8; RFC 6749 §2.3.1 clients form-urlencode each part
/// first. Both are accepted: each part is form-decoded, which leaves our own ids and secrets
/// (unreserved characters only) unchanged, and is skipped for a part that is not valid form encoding.
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
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let scheme = parts.first, scheme.lowercased() == "basic" else { throw .notBasic }
        guard parts.count == 2 else { throw .malformed }
        let encoded = parts[1].trimmingTrailingSpaces
        guard let decoded = (try? Base64.decode(string: String(encoded)))
            ?? (try? Base64.decode(string: String(encoded), options: .omitPaddingCharacter)),
            let text = String(validating: decoded, as: UTF8.self),
            let colon = text.firstIndex(of: ":")
        else { throw .malformed }
        let rawID = text[..<colon]
        let rawSecret = text[text.index(after: colon)...]
        guard !rawID.isEmpty else { throw .malformed }
        self.clientID = FormParameters.percentDecoded(rawID.utf8) ?? String(rawID)
        self.secret = FormParameters.percentDecoded(rawSecret.utf8) ?? String(rawSecret)
    }
}

extension Substring {
    fileprivate var trimmingTrailingSpaces: Substring {
        var result = self
        while result.last == " " || result.last == "\t" { result = result.dropLast() }
        return result
    }
}
