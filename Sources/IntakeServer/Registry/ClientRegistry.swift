import IntakeCore
import Logging

/// The server's view of the client registry: the in-memory ``ClientDirectory`` the hot paths read,
/// kept in step with the store.
///
/// Two things bring it up to date: the periodic poll of ``ChangeFollowingService``, and a failed
/// client authentication, which first checks the store's version and retries, so a client that the
/// CLI or another instance has just created, enabled or given a new secret is accepted at once.
/// Checks are coalesced and spaced at least ``minimumCheckInterval`` apart (``CoalescedCheck``),
/// so a flood of bad credentials costs the database one cheap read per interval, not one per
/// request.
///
/// ```swift
/// let registry = try await ClientRegistry(store: store, logger: logger)
/// let client = await registry.authenticate(clientID: id, secret: Array(secret.utf8))
/// ```
final class ClientRegistry: Sendable {
    static let minimumCheckInterval: Duration = .milliseconds(25)
    /// A check waits this long for the database at most (the failed request waits with it).
    static let checkTimeout: Duration = .seconds(2)

    let directory: ClientDirectory
    private let check = CoalescedCheck(minimumInterval: minimumCheckInterval)
    private let reload: @Sendable () async -> Void

    /// Loads the registry: the version first, so a change made while the clients are read shows
    /// up as a newer version at the next check.
    init(store: any ClientStore, logger: Logger) async throws {
        let directory = ClientDirectory()
        let version = try await store.clientsVersion()
        directory.replace(with: try await store.clients(), version: version)
        self.directory = directory
        self.reload = { await Self.reloadIfChanged(directory, from: store, logger: logger) }
    }

    /// The enabled client with this id and secret, or nil; a miss is checked against the store once.
    func authenticate(clientID: String, secret: [UInt8]) async -> ClientRecord? {
        if let client = directory.authenticate(clientID: clientID, secret: secret) { return client }
        await checkForChanges()
        return directory.authenticate(clientID: clientID, secret: secret)
    }

    /// Returns after a check of the store's version that began after this call, reloading the
    /// registry if the version changed.
    func checkForChanges() async {
        await check.run(reload)
    }

    private static func reloadIfChanged(_ directory: ClientDirectory, from store: any ClientStore, logger: Logger) async {
        do {
            try await withDeadline(checkTimeout) {
                let version = try await store.clientsVersion()
                guard version != directory.version else { return }
                directory.replace(with: try await store.clients(), version: version)
            }
        } catch {
            logger.warning("Could not refresh the client registry", metadata: ["error.type": "\(type(of: error))"])
        }
    }
}
