import IntakeCore
import Logging
import PostgresNIO

/// The shared store: several `intake serve` instances on one PostgreSQL share clients, the signing
/// key, idempotency keys and events.
///
/// The `PostgresClient` (a bounded connection pool) must be running while the store is used: run
/// ``client`` as a service, or use ``withRunningStore(_:logger:_:)``. Event writes are group
/// committed: concurrent requests of one instance share one transaction, and a 2xx means committed.
///
/// ```swift
/// try await PostgresStore.withRunningStore(url, logger: logger) { store in
///     print(try await store.clients().count)
/// }
/// ```
package final class PostgresStore: Sendable {
    /// How long an event commit may wait for the database before the request gets `503`.
    static let commitTimeout: Duration = .seconds(5)
    static let readinessTimeout: Duration = .seconds(2)
    /// How long any other statement may wait. While the database is unreachable the pool holds a
    /// query until its circuit breaker trips, about a minute later; callers answer `503` sooner.
    static let queryTimeout: Duration = .seconds(5)

    private let pool: PostgresPool
    let logger: Logger
    let eventWriter: GroupCommitQueue<PendingSubmission, EventSubmission.Outcome>

    /// A submission with the instant its request gives up: ``commitTimeout`` after it arrived,
    /// however long it then waits for a batch to take it.
    struct PendingSubmission: Sendable {
        let submission: EventSubmission
        let deadline: ContinuousClock.Instant
    }

    /// The connection pool in use now (see ``PostgresPool``).
    package var client: PostgresClient { pool.client }

    /// A store on `client`, which the caller runs. Call ``migrate()`` once it runs.
    package convenience init(client: PostgresClient, logger: Logger) {
        self.init(pool: PostgresPool(client), logger: logger)
    }

    /// Batches in flight at once; measured with `scripts/load.sh` on PostgreSQL (see the README).
    static let concurrentCommits = 4

    private init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
        // Commits of one instance overlap as those of several do (nothing orders them but the
        // transactions themselves), so a batch's round trips do not hold up the next.
        self.eventWriter = GroupCommitQueue(database: "postgres", concurrency: Self.concurrentCommits) { pending in
            // The batch and any one-by-one retries of it share the earliest deadline of its
            // requests, counted from each request's arrival: during an outage, requests queued
            // behind batches that wait for the database are answered within `commitTimeout` too,
            // not after those batches' time plus their own (16 writers waited 10 s before).
            // Requests already past their deadline are answered at once; the others are committed.
            let now = ContinuousClock.now
            let live = pending.indices.filter { pending[$0].deadline > now }
            var results: [Result<EventSubmission.Outcome, any Error>] = pending.map { _ in .failure(DeadlineExceeded()) }
            guard let deadline = live.lazy.map({ pending[$0].deadline }).min() else { return results }
            let outcomes: [Result<EventSubmission.Outcome, any Error>]
            do {
                outcomes = try await withDeadline(deadline - now) {
                    await GroupCommitQueue.commitIsolatingFailures(live.map { pending[$0].submission }) { batch in
                        try await Self.commit(batch, client: pool.client, logger: logger)
                    }
                }
            } catch {
                outcomes = live.map { _ in .failure(error) }
            }
            for (index, outcome) in zip(live, outcomes) { results[index] = outcome }
            return results
        }
    }

    /// Opens the database at `url`, runs its client for the duration of `body`, and applies
    /// pending migrations first. A database that cannot be used fails at once with
    /// ``PostgresUnavailable``, not after the pool has retried for a minute.
    package static func withRunningStore<Value: Sendable>(
        _ url: String, logger: Logger, _ body: @Sendable (PostgresStore) async throws -> Value
    ) async throws -> Value {
        let configuration = try PostgresConnectionURL.configuration(from: url)
        try await PostgresUnavailable.probe(url, logger: logger)
        let pool = PostgresPool(PostgresClient(configuration: configuration, backgroundLogger: logger))
        let store = PostgresStore(pool: pool, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // Wait until the pool's task runs: leasing before `run()` starts works but logs a warning.
            await withCheckedContinuation { started in
                group.addTask {
                    started.resume()
                    await pool.run(url: url, configuration: configuration, logger: logger)
                }
            }
            await Task.yield()
            defer { group.cancelAll() }
            try await store.migrate()
            return try await body(store)
        }
    }
}

extension PostgresStore {
    /// Runs `operation` on the pool within ``queryTimeout``. Writes ignore the rows a statement
    /// returns, hence discardable.
    @discardableResult
    func bounded<Value: Sendable>(
        _ operation: @escaping @Sendable (PostgresClient, Logger) async throws -> Value
    ) async throws -> Value {
        let (client, logger) = (self.client, self.logger)
        return try await withDeadline(Self.queryTimeout) { try await operation(client, logger) }
    }
}

extension PostgresStore {
    /// The value of a one-row version table that a trigger bumps on every change (`clients_version`,
    /// `revocations_version`): what instances poll each second.
    func versionCounter(_ table: StaticString) async throws -> Int64 {
        try await bounded { connection, logger in
            let query = PostgresQuery(unsafeSQL: "SELECT version FROM \(table) WHERE id = 1")
            for try await version in try await connection.query(query, logger: logger).decode(Int64.self) {
                return version
            }
            return 0
        }
    }
}

extension PostgresStore: IntakeStore {
    package func checkReadiness() async throws {
        let client = self.client
        let logger = self.logger
        try await withDeadline(Self.readinessTimeout) {
            try await client.query("SELECT 1", logger: logger)
        }
    }

    /// The settings under which PostgreSQL acknowledges a commit before it is on disk, as
    /// `name=off`: `fsync` for the whole server, `synchronous_commit` as this database's sessions
    /// have it (it can be set per database or role). Either way a crash loses events that were
    /// answered `201`.
    package func nonDurableSettings() async throws -> [String] {
        try await bounded { client, logger in
            let rows = try await client.query(
                "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit') ORDER BY name", logger: logger)
            var found: [String] = []
            for try await (name, setting) in rows.decode((String, String).self) where setting == "off" {
                found.append("\(name)=off")
            }
            return found
        }
    }

    package func checkWritable() async throws {
        try await bounded { client, logger in
            try await client.query(
                """
                INSERT INTO settings (name, value) VALUES ('write_check', \(ByteBuffer(string: String(UnixTime.nowMilliseconds()))))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """, logger: logger)
        }
    }
}
