/// Keeps the signing key in the database, so that every instance sharing it signs and verifies alike.
///
/// ```swift
/// let key = try await store.signingKey(storingIfAbsent: .generate())
/// ```
package protocol SigningKeyStore: Sendable {
    /// The stored key; when there is none, `candidate` is stored and returned. Concurrent first
    /// starts agree on one key.
    func signingKey(storingIfAbsent candidate: SigningKey) async throws -> SigningKey
}
