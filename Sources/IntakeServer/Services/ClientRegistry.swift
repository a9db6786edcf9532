import IntakeCore
import Logging
import Synchronization

/// The server's view of the client registry: the in-memory ``ClientDirectory`` the hot paths read,
/// kept in step with the store.
///
/// Two things bring it up to date: the periodic poll of ``RegistryRefreshService``, and a failed
/// client authentication, which first checks the store's version and retries, so a client that the
/// CLI or another instance has just created, enabled or given a new secret is accepted at once.
/// Checks are coalesced (``RegistryCheckState``) and spaced at least ``minimumCheckInterval``
/// apart, so a flood of bad credentials costs the database one cheap read per interval, not one
/// per request.
///
/// ```swift
/// let registry = try await ClientRegistry(store: store, logger: logger)
/// let client = await registry.authenticate(clientID: id, secret: secret.utf8)
/// ```
final class ClientRegistry: Sendable {
    static let minimumCheckInterval: Duration = .milliseconds(25)
    /// A check waits this long for the database at most (the failed request waits with it).
    static let checkTimeout: Duration = .seconds(2)

    private struct State {
        var machine = RegistryCheckState()
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    }

    let directory: ClientDirectory
    private let store: any ClientStore
    private let logger: Logger
    private let state = Mutex(State())

    /// Loads the registry: the version first, so a change made while the clients are read shows
    /// up as a newer version at the next check.
    init(store: any ClientStore, logger: Logger) async throws {
        self.store = store
        self.logger = logger
        self.directory = ClientDirectory()
        let version = try await store.clientsVersion()
        directory.replace(with: try await store.clients(), version: version)
    }

    /// The enabled client with this id and secret, or nil; a miss is checked against the store once.
    func authenticate(clientID: String, secret: some Collection<UInt8> & Sendable) async -> ClientRecord? {
        if let client = directory.authenticate(clientID: clientID, secret: secret) { return client }
        await checkForChanges()
        return directory.authenticate(clientID: clientID, secret: secret)
    }

    /// Returns after a check of the store's version that began after this call, reloading the
    /// registry if the version changed.
    func checkForChanges() async {
        await withCheckedContinuation { continuation in
            let start = state.withLock { state in
                let action = state.machine.request()
                state.waiters.append((action.ticket, continuation))
                return action.startsCheck
            }
            // Not a child of the caller: a cancelled request must not stop the check others wait for.
            if start { Task { await self.runChecks() } }
        }
    }

    private func runChecks() async {
        let clock = ContinuousClock()
        while true {
            let started = clock.now
            await reloadIfChanged()
            let (ready, startNext) = state.withLock { state in
                let (completed, startNext) = state.machine.finished()
                let ready = state.waiters.filter { $0.ticket <= completed }
                state.waiters.removeAll { $0.ticket <= completed }
                return (ready, startNext)
            }
            for waiter in ready { waiter.continuation.resume() }
            guard startNext else { return }
            try? await clock.sleep(until: started + Self.minimumCheckInterval)
        }
    }

    private func reloadIfChanged() async {
        let store = self.store
        let directory = self.directory
        do {
            try await withDeadline(Self.checkTimeout) {
                let version = try await store.clientsVersion()
                guard version != directory.version else { return }
                directory.replace(with: try await store.clients(), version: version)
            }
        } catch {
            logger.warning("Could not refresh the client registry", metadata: ["error.type": "\(type(of: error))"])
        }
    }
}
