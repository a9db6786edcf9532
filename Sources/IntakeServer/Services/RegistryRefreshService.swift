import IntakeCore
import Logging
import ServiceLifecycle

/// Keeps the in-memory ``ClientDirectory`` in step with the database, so that a client created,
/// disabled, rotated or deleted by the CLI or another instance takes effect here within one poll
/// interval. A poll reads one integer; the registry is reloaded only when it changed. It also
/// forgets idempotency keys past their retention, once an hour.
struct RegistryRefreshService: Service {
    let store: any ClientStore & EventStore
    let directory: ClientDirectory
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            var polls = 0
            let pollsPerPurge = max(1, Int(Duration.seconds(3600) / interval))
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await refresh()
                polls += 1
                if polls % pollsPerPurge == 0 { await purge() }
            }
        }
    }

    func refresh() async {
        do {
            let version = try await store.clientsVersion()
            guard version != directory.version else { return }
            directory.replace(with: try await store.clients(), version: version)
        } catch {
            logger.warning("Could not refresh the client registry", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    private func purge() async {
        do {
            try await store.purgeIdempotencyKeys(olderThan: UnixTime.now() - IdempotencyKey.retentionSeconds)
        } catch {
            logger.warning("Could not purge idempotency keys", metadata: ["error.type": "\(type(of: error))"])
        }
    }
}
