import Crypto
import CryptoExtras
import Foundation

/// What checks one key's signatures: its `kid`, its one algorithm, and the public key (the
/// secret itself for HS256).
///
/// The algorithm belongs to the key, not to the token: ``isValidSignature(_:for:)`` verifies with
/// this key's algorithm only, so a token that names another `alg` (an HS256 token "signed" with an
/// RSA key's public bytes, say) is refused before it gets here.
///
/// ```swift
/// let key = try SigningKey.generate(.edDSA).verificationKey
/// key.isValidSignature(signature, for: Array(signingInput.utf8))
/// key.jwk   // {"kty":"OKP","crv":"Ed25519",…}
/// ```
package struct VerificationKey: Sendable {
    package let id: String
    package let algorithm: SigningAlgorithm
    let material: Material

    enum Material: Sendable {
        case hmac(SymmetricKey)
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    init(id: String, hmacSecret: [UInt8]) {
        (self.id, self.algorithm, self.material) = (id, .hs256, .hmac(SymmetricKey(data: hmacSecret)))
    }

    init(id: String, rsa key: _RSA.Signing.PublicKey) {
        (self.id, self.algorithm, self.material) = (id, .rs256, .rsa(key))
    }

    init(id: String, p256 key: P256.Signing.PublicKey) {
        (self.id, self.algorithm, self.material) = (id, .es256, .p256(key))
    }

    init(id: String, ed25519 key: Curve25519.Signing.PublicKey) {
        (self.id, self.algorithm, self.material) = (id, .edDSA, .ed25519(key))
    }

    /// Whether `signature` is this key's JWS signature of `signingInput`.
    package func isValidSignature(_ signature: [UInt8], for signingInput: some DataProtocol) -> Bool {
        switch material {
        case .hmac(let secret):
            // Constant time (swift-crypto compares MACs with `safeCompare`).
            return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: secret)
        case .rsa(let key):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: signingInput, padding: .insecurePKCS1v1_5)
        case .p256(let key):
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: signingInput)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: signingInput)
        }
    }

    /// The public key's bytes (the raw point or DER), nil for HS256: what names a generated key.
    var publicBytes: [UInt8]? {
        switch material {
        case .hmac: nil
        case .rsa(let key): Array(key.derRepresentation)
        case .p256(let key): Array(key.rawRepresentation)
        case .ed25519(let key): Array(key.rawRepresentation)
        }
    }
}
