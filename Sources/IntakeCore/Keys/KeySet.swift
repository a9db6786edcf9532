/// The keys a server uses at one moment: the active key, which signs, and every key that still
/// verifies. Built from the stored rows by ``KeyManager/keySet(now:)``, or fixed to one key.
///
/// ```swift
/// let keys = try await manager.keySet(now: UnixTime.now())
/// let issuer = AccessTokenIssuer(key: keys.signing, issuer: url, audience: url, lifetime: 3600)
/// ```
package struct KeySet: Sendable {
    package let signing: SigningKey
    /// The active key's and the retiring keys', the active key's first.
    package let verification: [VerificationKey]
    /// The `kid`s and statuses it was built from: a reload that finds the same needs no rebuild.
    package let fingerprint: [String]

    /// A set of one key, as `INTAKE_SIGNING_KEY` gives.
    package init(fixed key: SigningKey) {
        self.init(signing: key, verification: [key.verificationKey], fingerprint: [key.id])
    }

    package init(signing: SigningKey, verification: [VerificationKey], fingerprint: [String]) {
        self.signing = signing
        self.verification = verification
        self.fingerprint = fingerprint
    }

    /// The keys others may fetch (the JWKS): the asymmetric ones; an HS256 secret never leaves.
    package var published: [VerificationKey] { verification.filter(\.algorithm.isAsymmetric) }

    /// The `kid`s and statuses of the rows that verify at `now`, as ``fingerprint`` records them.
    package static func fingerprint(of keys: [StoredSigningKey]) -> [String] {
        keys.map { "\($0.id):\($0.status.rawValue)" }
    }
}
