/// The keys a server uses at one moment: the active key, which signs, and every key that still
/// verifies. Built from the stored rows by ``KeyManager/keySet(from:now:)``, or fixed to one key.
///
/// ```swift
/// let keys = try manager.keySet(from: try await manager.maintain(), now: UnixTime.now())
/// let issuer = AccessTokenIssuer(key: keys.signing, issuer: url, audience: url, lifetime: 3600)
/// ```
package struct KeySet: Sendable {
    package let signing: SigningKey
    /// The active key's and the retiring keys', the active key's first.
    package let verification: [VerificationKey]
    /// The `kid`s and statuses it was built from: a reload that finds the same needs no rebuild.
    package let fingerprint: [String]
    /// When each retiring key stops verifying, by `kid`: a server drops them on time even while
    /// the database cannot be read.
    package let retirements: [String: Int64]

    /// A set of one key, as `INTAKE_SIGNING_KEY` gives.
    package init(fixed key: SigningKey) {
        self.init(signing: key, verification: [key.verificationKey], fingerprint: [key.id], retirements: [:])
    }

    package init(signing: SigningKey, verification: [VerificationKey], fingerprint: [String], retirements: [String: Int64]) {
        self.signing = signing
        self.verification = verification
        self.fingerprint = fingerprint
        self.retirements = retirements
    }

    /// The keys that still verify at `now`.
    package func verification(at now: Int64) -> [VerificationKey] {
        verification.filter { (retirements[$0.id] ?? .max) > now }
    }

    /// The keys others may fetch (the JWKS): the asymmetric ones; an HS256 secret never leaves.
    package var published: [VerificationKey] { verification.filter(\.algorithm.isAsymmetric) }

    /// The `kid`s and statuses of `keys`, as ``fingerprint`` records them.
    package static func fingerprint(of keys: [StoredSigningKey]) -> [String] {
        keys.map { "\($0.id):\($0.status.rawValue)" }
    }
}
