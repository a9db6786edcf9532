/// Why a signing key was refused.
package enum SigningKeyError: Error, Equatable, CustomStringConvertible, Sendable {
    case tooShort(byteCount: Int)
    case notBase64URL
    /// The stored bytes are not a key of this algorithm (or an RSA key under 2048 bits).
    case invalidKey(SigningAlgorithm)

    package var description: String {
        switch self {
        case .tooShort(let count):
            "the signing key has \(count) bytes; HS256 needs at least \(SigningKey.minimumByteCount) random bytes (RFC 8725 §3.5)"
        case .notBase64URL:
            "the signing key is not valid base64url"
        case .invalidKey(.rs256):
            "the stored key is not an RSA private key of at least \(SigningKey.minimumRSABits) bits"
        case .invalidKey(let algorithm):
            "the stored key is not a valid \(algorithm.rawValue) key"
        }
    }
}
