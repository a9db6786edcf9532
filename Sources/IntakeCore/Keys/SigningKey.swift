import Crypto
import CryptoExtras
import ExtrasBase64
import Foundation

/// A key that signs access tokens: an HS256 secret, or the private half of an RS256, ES256 or
/// EdDSA key pair.
///
/// RFC 8725 §3.5: an HMAC key must carry at least as many bits as the hash, so secrets under
/// 32 bytes are refused; RSA keys are 2048 bits or more. ``bytes`` is what the key set stores
/// (encrypted when a key-encryption key is configured) and is never logged or answered.
///
/// ```swift
/// let fixed = try SigningKey(base64URL: environment["INTAKE_SIGNING_KEY"]!)   // HS256
/// let key = try SigningKey.generate(.es256)
/// let signature = try key.signature(for: Array("header.claims".utf8))
/// ```
package struct SigningKey: Sendable {
    package static let minimumByteCount = 32
    package static let minimumRSABits = 2048

    /// `kid`.
    package let id: String
    package let algorithm: SigningAlgorithm
    /// The secret or private key: the HMAC secret, the RSA key's PKCS#1 DER, the P-256 scalar or
    /// the Ed25519 seed.
    package let bytes: [UInt8]
    private let signer: Signer

    private enum Signer: Sendable {
        /// Keyed once: each token then costs two hash blocks less.
        case hmac(HMAC<SHA256>)
        case rsa(_RSA.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    /// An HS256 key from its secret; the `kid` is derived from the secret (the first 12 bytes of
    /// its SHA-256, base64url), so every instance given the same secret names it alike.
    package init(bytes: [UInt8]) throws(SigningKeyError) {
        try self.init(id: Self.derivedID(of: bytes), algorithm: .hs256, bytes: bytes)
    }

    /// A key of `algorithm` from its stored ``bytes``.
    package init(id: String, algorithm: SigningAlgorithm, bytes: [UInt8]) throws(SigningKeyError) {
        self.id = id
        self.algorithm = algorithm
        self.bytes = bytes
        do {
            switch algorithm {
            case .hs256:
                guard bytes.count >= Self.minimumByteCount else { throw SigningKeyError.tooShort(byteCount: bytes.count) }
                signer = .hmac(HMAC<SHA256>(key: SymmetricKey(data: bytes)))
            case .rs256:
                // The checked initializer refuses keys under 2048 bits.
                signer = .rsa(try _RSA.Signing.PrivateKey(derRepresentation: bytes))
            case .es256:
                signer = .p256(try P256.Signing.PrivateKey(rawRepresentation: bytes))
            case .edDSA:
                signer = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: bytes))
            }
        } catch let error as SigningKeyError {
            throw error
        } catch {
            throw .invalidKey(algorithm)
        }
    }

    /// Decodes a base64url HS256 secret (padding optional), as given in `INTAKE_SIGNING_KEY`.
    package init(base64URL text: String) throws(SigningKeyError) {
        guard let decoded = EnvironmentKeyText.decode(text) else { throw .notBase64URL }
        try self.init(bytes: decoded)
    }

    /// A new random key: 32 bytes for HS256, 2048-bit RSA, or a fresh P-256 or Ed25519 pair.
    package static func generate(_ algorithm: SigningAlgorithm = .hs256) throws -> SigningKey {
        let bytes: [UInt8]
        switch algorithm {
        case .hs256: bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        case .rs256: bytes = Array(try _RSA.Signing.PrivateKey(keySize: .bits2048).derRepresentation)
        case .es256: bytes = Array(P256.Signing.PrivateKey().rawRepresentation)
        case .edDSA: bytes = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
        }
        let key = try SigningKey(id: "", algorithm: algorithm, bytes: bytes)
        // Named after the public half (the secret, for HS256): stable, and unique per key.
        return try SigningKey(id: derivedID(of: key.verificationKey.publicBytes ?? bytes), algorithm: algorithm, bytes: bytes)
    }

    /// The JWS signature of `signingInput` (`base64url(header) "." base64url(claims)`).
    ///
    /// Concrete bytes rather than `some DataProtocol`: swift-crypto's signing entry points are
    /// generic and not inlinable, so each call looked up the metadata of the input's `Regions`
    /// (about 4% of the token endpoint's CPU under perf); the digest is taken here instead.
    package func signature(for signingInput: ArraySlice<UInt8>) throws -> [UInt8] {
        switch signer {
        case .hmac(var mac):
            mac.update(data: signingInput)
            return Array(mac.finalize())
        case .rsa(let key):
            return Array(try key.signature(for: Self.sha256(signingInput), padding: .insecurePKCS1v1_5).rawRepresentation)
        case .p256(let key):
            return Array(try key.signature(for: Self.sha256(signingInput)).rawRepresentation)
        case .ed25519(let key):
            // EdDSA hashes the message itself.
            return Array(try signingInput.withUnsafeBytes { try key.signature(for: $0) })
        }
    }

    package func signature(for signingInput: [UInt8]) throws -> [UInt8] {
        try signature(for: signingInput[...])
    }

    private static func sha256(_ bytes: ArraySlice<UInt8>) -> SHA256.Digest {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize()
    }

    /// What verifies this key's signatures: the secret again for HS256, the public key otherwise.
    package var verificationKey: VerificationKey {
        switch signer {
        case .hmac: VerificationKey(id: id, hmacSecret: bytes)
        case .rsa(let key): VerificationKey(id: id, rsa: key.publicKey)
        case .p256(let key): VerificationKey(id: id, p256: key.publicKey)
        case .ed25519(let key): VerificationKey(id: id, ed25519: key.publicKey)
        }
    }

    /// The secret in the base64url form `INTAKE_SIGNING_KEY` takes.
    package var base64URL: String {
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// The first 12 bytes of the SHA-256 of `bytes`, base64url.
    private static func derivedID(of bytes: [UInt8]) -> String {
        let digest = Array(SHA256.hash(data: bytes).prefix(12))
        return Base64.encodeToString(bytes: digest, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}
