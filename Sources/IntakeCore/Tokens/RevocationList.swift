import Synchronization

/// The in-memory set of revoked token ids that `/v2` consults on every request, without a
/// database read: a revocation made here is in it at once, one made by another instance after
/// the next poll of the store's revocation version.
///
/// ```swift
/// let revoked = RevocationList()
/// revoked.replace(with: try await store.revokedTokens(expiringAfter: now), version: version)
/// if revoked.contains(claims.tokenID) { … }
/// ```
package final class RevocationList: Sendable {
    private struct Snapshot {
        var tokenIDs: Set<String> = []
        var version: Int64 = -1
    }

    private let snapshot = Mutex(Snapshot())

    package init() {}

    /// The store version the list was last loaded from (`-1` before the first load).
    package var version: Int64 { snapshot.withLock { $0.version } }

    package func contains(_ tokenID: String) -> Bool {
        snapshot.withLock { $0.tokenIDs.contains(tokenID) }
    }

    /// Adds a revocation made by this instance, ahead of the next reload.
    package func insert(_ tokenID: String) {
        _ = snapshot.withLock { $0.tokenIDs.insert(tokenID) }
    }

    package func replace(with tokens: [RevokedToken], version: Int64) {
        let ids = Set(tokens.map(\.tokenID))
        snapshot.withLock { $0 = Snapshot(tokenIDs: ids, version: version) }
    }
}
