import Crypto
import ExtrasBase64

/// The HS256 key that signs and verifies access tokens.
///
/// RFC 8725 §3.5: an HMAC key must carry at least as many bits as the hash, so keys under
/// 32 bytes are refused. The key id (`kid`) is derived from the key itself, so every instance that
/// shares a key names it alike and a token signed by one is recognised by all.
///
/// ```swift
/// let key = try SigningKey(base64URL: environment["INTAKE_SIGNING_KEY"]!)
/// let fresh = SigningKey.generate()
/// ```
package struct SigningKey: Sendable {
    package static let minimumByteCount = 32

    package let bytes: [UInt8]
    /// `kid`: the first 12 bytes of the key's SHA-256, base64url.
    package let id: String

    package init(bytes: [UInt8]) throws(SigningKeyError) {
        guard bytes.count >= Self.minimumByteCount else {
            throw .tooShort(byteCount: bytes.count)
        }
        self.bytes = bytes
        let digest = Array(SHA256.hash(data: bytes).prefix(12))
        self.id = Base64.encodeToString(bytes: digest, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// Decodes a base64url key (padding optional), as given in `INTAKE_SIGNING_KEY`.
    package init(base64URL text: String) throws(SigningKeyError) {
        let trimmed = text.trimmingSuffix { $0 == "=" || $0 == "\n" || $0 == " " }
        let decoded: [UInt8]
        do {
            decoded = try Base64.decode(string: String(trimmed), options: [.base64UrlAlphabet, .omitPaddingCharacter])
        } catch {
            throw .notBase64URL
        }
        try self.init(bytes: decoded)
    }

    /// A new key of 32 random bytes.
    package static func generate() -> SigningKey {
        let key = SymmetricKey(size: .bits256)
        // 32 bytes always pass the length check.
        return try! SigningKey(bytes: key.withUnsafeBytes { Array($0) })
    }

    /// The key in the base64url form `INTAKE_SIGNING_KEY` takes.
    package var base64URL: String {
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}

/// Why a signing key was refused.
package enum SigningKeyError: Error, Equatable, CustomStringConvertible, Sendable {
    case tooShort(byteCount: Int)
    case notBase64URL

    package var description: String {
        switch self {
        case .tooShort(let count):
            "the signing key has \(count) bytes; HS256 needs at least \(SigningKey.minimumByteCount) random bytes (RFC 8725 §3.5)"
        case .notBase64URL:
            "the signing key is not valid base64url"
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> SubSequence {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
