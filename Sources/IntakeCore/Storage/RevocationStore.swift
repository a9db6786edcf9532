/// Keeps revoked tokens until they expire. One implementation per database.
///
/// ```swift
/// try await store.revoke(RevokedToken(tokenID: claims.tokenID, clientID: claims.clientID, expiresAt: claims.expiresAt), at: now)
/// let version = try await store.revocationsVersion()
/// let revoked = try await store.revokedTokens(expiringAfter: now)
/// ```
package protocol RevocationStore: Sendable {
    /// Stores the revocation; revoking a token twice is not an error.
    func revoke(_ token: RevokedToken, at now: Int64) async throws
    /// A number that changes whenever a revocation is added or purged, by any process.
    func revocationsVersion() async throws -> Int64
    func revokedTokens(expiringAfter now: Int64) async throws -> [RevokedToken]
    /// Forgets revocations of tokens that expired before `cutoff`.
    func purgeRevokedTokens(expiredBefore cutoff: Int64) async throws
}
