/// Keeps revocations until the tokens they cover expire, numbered in the order they commit so
/// that instances read only what is new. One implementation per database.
///
/// ```swift
/// let token = RevokedToken(tokenID: claims.tokenID, clientID: claims.clientID, expiresAt: claims.expiresAt)
/// let stored = try await store.revoke(token, at: now, limitPerClient: Revocation.limitPerClient)
/// let new = try await store.revocations(after: list.lastSequence, expiringAfter: cutoff, limit: 10_000)
/// ```
package protocol RevocationStore: Sendable {
    /// Stores the revocation of `token`, and returns it as stored; nil when the token was revoked
    /// already (nothing changes). While its client has fewer than `limitPerClient` live token
    /// revocations the row names the token; past that, the client's one client-wide row is set
    /// (or moved forward) to cover every token of the client issued at or before `now`.
    func revoke(_ token: RevokedToken, at now: Int64, limitPerClient: Int) async throws -> Revocation?
    /// Revocations whose sequence is above `sequence`, in order, at most `limit`, leaving out
    /// those whose tokens expired at or before `cutoff`. Sequences are assigned in commit order
    /// (revocations take turns on one row), so a reader that saw one has seen every lower one.
    func revocations(after sequence: Int64, expiringAfter cutoff: Int64, limit: Int) async throws -> [Revocation]
    /// Forgets revocations of tokens that expired before `cutoff`, and the audit rows of token
    /// revocations that old (a token revocation's row is at most a token lifetime older than
    /// the token's expiry).
    func purgeRevokedTokens(expiredBefore cutoff: Int64) async throws
}
