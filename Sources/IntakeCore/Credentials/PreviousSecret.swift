/// A secret that still authenticates for a while after a rotation.
package struct PreviousSecret: Sendable, Hashable {
    package var hash: SecretHash
    /// Seconds since 1970; the secret is refused from then on.
    package var validUntil: Int64

    package init(hash: SecretHash, validUntil: Int64) {
        self.hash = hash
        self.validUntil = validUntil
    }
}
