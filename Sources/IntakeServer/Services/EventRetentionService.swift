import IntakeCore
import Logging
import ServiceLifecycle

/// Deletes events older than the retention (`--event-retention`), once a minute, in batches of
/// ``batchSize`` with a pause between batches: each batch holds the database's write lock for
/// a few milliseconds, so ingest goes on between them (measured with `scripts/retention-load.sh`).
/// With several instances on one database each deletes; the batches do not conflict, they only
/// find less to do.
struct EventRetentionService: Service {
    static let batchSize = 500
    static let pauseBetweenBatches: Duration = .milliseconds(20)
    static let interval: Duration = .seconds(60)

    let store: any EventStore
    /// Seconds.
    let retention: Int64
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await deleteExpired()
                do {
                    try await Task.sleep(for: Self.interval)
                } catch {
                    return  // Graceful shutdown: the normal way out.
                }
            }
        }
    }

    /// Deletes every event past the retention now, batch by batch; returns how many went.
    @discardableResult
    func deleteExpired(now: Int64 = UnixTime.nowMilliseconds()) async -> Int {
        let cutoff = now.saturatingSubtracting(retention.saturatingMultiplied(by: 1000))
        var total = 0
        do {
            while !Task.isCancelled {
                let deleted = try await store.deleteEvents(receivedBefore: cutoff, limit: Self.batchSize)
                total += deleted
                // Nothing left to delete among the oldest: until the next run.
                guard deleted > 0 else { break }
                try await Task.sleep(for: Self.pauseBetweenBatches)
            }
        } catch where !Task.isCancelled {
            logger.warning("Could not delete expired events", metadata: ["error.type": "\(type(of: error))"])
        } catch {
            // Shutdown cancelled the deletion: nothing went wrong.
        }
        if total > 0 { logger.info("Deleted expired events", metadata: ["count": "\(total)"]) }
        return total
    }
}
