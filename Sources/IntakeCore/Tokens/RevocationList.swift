import Synchronization

/// The in-memory set of revoked token ids that `/v2` consults on every request, without a
/// database read: a revocation made here is in it at once, one made by another instance after
/// the next poll of the store's revocation version.
///
/// A revocation made here stays in the set across reloads until its token has expired, so a
/// reload that read the database just before the revocation committed cannot undo it.
///
/// ```swift
/// let revoked = RevocationList()
/// revoked.replace(with: try await store.revokedTokens(expiringAfter: RevocationList.loadCutoff(now: now)), version: version, now: now)
/// if revoked.contains(claims.tokenID) { … }
/// ```
package final class RevocationList: Sendable {
    private struct Snapshot {
        var tokenIDs: Set<String> = []
        var version: Int64 = -1
        /// Revocations made by this instance, with their token's `exp`.
        var local: [String: Int64] = [:]
    }

    private let snapshot = Mutex(Snapshot())

    package init() {}

    /// Revocations of tokens that expired before this are no longer needed: the verifier refuses
    /// those tokens anyway (its leeway included).
    package static func loadCutoff(now: Int64) -> Int64 { now.saturatingSubtracting(AccessTokenVerifier.leeway) }

    /// The store version the list was last loaded from (`-1` before the first load).
    package var version: Int64 { snapshot.withLock { $0.version } }

    package func contains(_ tokenID: String) -> Bool {
        snapshot.withLock { $0.tokenIDs.contains(tokenID) }
    }

    /// Adds a revocation made by this instance, ahead of the next reload.
    package func insert(_ token: RevokedToken) {
        snapshot.withLock {
            $0.tokenIDs.insert(token.tokenID)
            $0.local[token.tokenID] = token.expiresAt
        }
    }

    package func replace(with tokens: [RevokedToken], version: Int64, now: Int64) {
        var ids = Set(tokens.map(\.tokenID))
        let cutoff = Self.loadCutoff(now: now)
        snapshot.withLock { snapshot in
            snapshot.local = snapshot.local.filter { $0.value > cutoff }
            ids.formUnion(snapshot.local.keys)
            snapshot.tokenIDs = ids
            snapshot.version = version
        }
    }
}
