import IntakeCore
import Logging
import PostgresNIO
import Synchronization

/// The store's connection pool, replaced by a fresh one when the database comes back after an
/// outage.
///
/// postgres-nio's pool retries a failing connection with a backoff that grows to a minute and
/// cannot be configured: after a one-minute outage it waited another 17 s before it tried again.
/// So while the pool fails, ``run(url:configuration:logger:)`` also tries a connection of its own
/// every second; once that works and the pool still fails, the pool is swapped for a new one, which
/// connects at once. Statements in flight on the old pool fail (their callers answer `503`).
final class PostgresPool: Sendable {
    /// How often the pool is checked, and how long a check may take.
    static let checkInterval: Duration = .seconds(1)
    /// Failed checks in a row after which the database counts as gone.
    static let failuresBeforeRecovery = 2

    private let current: Mutex<PostgresClient>

    init(_ client: PostgresClient) {
        self.current = Mutex(client)
    }

    var client: PostgresClient { current.withLock { $0 } }

    /// Runs the current pool, and its replacements, until cancelled.
    func run(url: String, configuration: PostgresClient.Configuration, logger: Logger) async {
        while !Task.isCancelled {
            let client = self.client
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask { await self.watch(client, url: url, configuration: configuration, logger: logger) }
                // Either the watch replaced the pool, or the task is being cancelled.
                _ = await group.next()
                group.cancelAll()
            }
        }
    }

    /// Returns once `client` has been replaced (or when cancelled).
    private func watch(_ client: PostgresClient, url: String, configuration: PostgresClient.Configuration, logger: Logger) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: Self.checkInterval)
            } catch {
                return
            }
            do {
                try await withDeadline(Self.checkInterval) { try await client.query("SELECT 1", logger: logger) }
                failures = 0
                continue
            } catch {
                failures += 1
            }
            guard failures >= Self.failuresBeforeRecovery, (try? await PostgresUnavailable.probe(url, logger: logger)) != nil else {
                continue
            }
            logger.info("PostgreSQL answers again; replacing the connection pool")
            current.withLock { $0 = PostgresClient(configuration: configuration, backgroundLogger: logger) }
            return
        }
    }
}
