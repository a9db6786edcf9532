import Crypto
import Synchronization

/// The in-memory copy of the client registry that the hot paths read.
///
/// The token endpoint and the bearer check must not wait on a database, so the server reloads this
/// directory whenever the store's client version changes (see ``ClientStore/clientsVersion()``).
///
/// ```swift
/// let directory = ClientDirectory()
/// let version = try await store.clientsVersion()   // first: a change made meanwhile shows as a newer version
/// directory.replace(with: try await store.clients(), version: version)
/// if let client = directory.authenticate(clientID: id, secret: Array(secret.utf8)) { … }
/// ```
package final class ClientDirectory: Sendable {
    private struct Snapshot {
        var clients: [String: ClientRecord] = [:]
        var version: Int64 = -1
    }

    private let snapshot = Mutex(Snapshot())

    package init() {}

    /// The store version the directory was last loaded from (`-1` before the first load).
    package var version: Int64 { snapshot.withLock { $0.version } }

    package func replace(with clients: [ClientRecord], version: Int64) {
        let byID = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        snapshot.withLock { $0 = Snapshot(clients: byID, version: version) }
    }

    /// The enabled client with this id and secret (or its previous secret, during a rotation's
    /// grace), or nil.
    ///
    /// Unknown ids, wrong secrets and disabled clients do the same work (one SHA-256 and two
    /// constant-time compares) and give the same answer, so neither timing nor errors tell them apart.
    package func authenticate(clientID: String, secret: [UInt8], now: Int64 = UnixTime.now()) -> ClientRecord? {
        let client = snapshot.withLock { $0.clients[clientID] }
        let matches = (client ?? Self.decoy).accepts(secret, now: now)
        guard let client, matches, client.isEnabled else { return nil }
        return client
    }

    /// What an unknown id is checked against: the same work as a known one.
    private static let decoy = ClientRecord(id: "", name: "", secretHash: .decoy, isEnabled: false, createdAt: 0)

    /// The client if it exists and is enabled: a token of any other client is no longer honoured.
    package func activeClient(id: String) -> ClientRecord? {
        guard let client = snapshot.withLock({ $0.clients[id] }), client.isEnabled else { return nil }
        return client
    }

    /// How a presented client id may appear in a log line or the audit trail: the id itself when
    /// it names a client, otherwise `unknown:` and the first 12 hex digits of its SHA-256. A partner
    /// who swaps id and secret presents the secret as the id, and it must not be written down.
    package func loggableID(_ presented: String) -> String {
        if snapshot.withLock({ $0.clients[presented] }) != nil { return presented }
        let digest = SHA256.hash(data: Array(presented.utf8))
        return "unknown:" + digest.prefix(6).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    package var isEmpty: Bool { snapshot.withLock { $0.clients.isEmpty } }

    /// Clients held, enabled or not.
    package var count: Int { snapshot.withLock { $0.clients.count } }
}
