/// The JWS algorithms Intake signs access tokens with (RFC 7518 §3, RFC 8037 for `EdDSA`).
///
/// Each key has exactly one; a verifier takes the algorithm from the key it found by `kid`, never
/// from the token's header (RFC 8725 §3.1).
///
/// ```swift
/// let algorithm = SigningAlgorithm(rawValue: "ES256")   // nil for any other spelling
/// let key = try SigningKey.generate(.es256)
/// ```
package enum SigningAlgorithm: String, Sendable, CaseIterable, Hashable {
    /// HMAC with SHA-256: a shared secret, so only holders of the key can verify.
    case hs256 = "HS256"
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys or larger (RFC 9068 §4 makes it a MUST).
    case rs256 = "RS256"
    /// ECDSA on P-256 with SHA-256.
    case es256 = "ES256"
    /// EdDSA on Ed25519.
    case edDSA = "EdDSA"

    /// Whether others can verify with a public key (and the key appears in the JWKS).
    package var isAsymmetric: Bool { self != .hs256 }

    /// The names, for help texts and error messages.
    package static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
