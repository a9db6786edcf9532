import Foundation
import GRDB
import IntakeCore
import IntakePostgres
import IntakeSQLite
import IntakeTestSupport
import PostgresNIO
import Synchronization
import Testing

/// The storage implementations every store test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The kinds this run can test: PostgreSQL only when `INTAKE_TEST_POSTGRES_URL` is set. Its
    /// cases are then not generated at all; ``PostgresAvailabilityTests`` is the skipped test that
    /// says so in the output.
    static var available: [StoreKind] {
        PostgresTestDatabase.isConfigured ? allCases : allCases.filter { $0 != .postgres }
    }

    var testDescription: String { rawValue }
}

/// One test's fresh, empty database of one kind. ``open()`` gives a store on it; call it again
/// for another store on the same database, as a second process (the CLI, another instance) sees it.
final class TestDatabase: Sendable {
    enum Location: Sendable {
        /// A file in a temporary directory of its own.
        case sqlite(directory: URL)
        /// A database created for this test on the configured server.
        case postgres(name: String)
    }

    let kind: StoreKind
    let location: Location
    /// The clients of the PostgreSQL stores opened so far, each run by a task until ``close()``.
    private let runningClients = Mutex<[Task<Void, Never>]>([])

    private init(kind: StoreKind, location: Location) {
        self.kind = kind
        self.location = location
    }

    /// A store on this database, migrated and ready.
    func open() async throws -> any IntakeStore {
        switch location {
        case .sqlite(let directory):
            return try SQLiteStore(path: directory.appendingPathComponent("intake.sqlite").path)
        case .postgres:
            return try await openPostgres()
        }
    }

    /// Runs SQL straight on the database (migrated first), as an operator or another program could:
    /// for rows Intake would never write.
    func execute(_ statements: String) async throws {
        switch location {
        case .sqlite(let directory):
            _ = try await open()
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("intake.sqlite").path)
            try await queue.write { db in try db.execute(sql: statements) }
        case .postgres:
            let store = try await openPostgres()
            try await store.client.query(PostgresQuery(unsafeSQL: statements), logger: PostgresTestDatabase.logger)
        }
    }

    /// A PostgreSQL store on this database with a client (a pool) of its own; migrated unless told not to.
    func openPostgres(migrate: Bool = true) async throws -> PostgresStore {
        guard case .postgres(let name) = location else {
            throw TestDatabaseError(description: "openPostgres() on a \(kind) database")
        }
        let client = PostgresClient(
            configuration: try PostgresTestDatabase.configuration(database: name),
            backgroundLogger: PostgresTestDatabase.logger)
        runningClients.withLock { $0.append(Task { await client.run() }) }
        let store = PostgresStore(client: client, logger: PostgresTestDatabase.logger)
        if migrate { try await store.migrate() }
        return store
    }

    /// Stops every client this database started and waits until they have closed their connections.
    private func close() async {
        let tasks = runningClients.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// Creates a database of `kind`, runs `body` with it, then closes its stores and deletes it.
    static func with<Value: Sendable>(
        _ kind: StoreKind, _ body: (TestDatabase) async throws -> Value
    ) async throws -> Value {
        switch kind {
        case .sqlite:
            return try await TemporaryDirectory.with { directory in
                try await body(TestDatabase(kind: kind, location: .sqlite(directory: directory)))
            }
        case .postgres:
            return try await PostgresTestDatabase.withFreshDatabase { name in
                let database = TestDatabase(kind: kind, location: .postgres(name: name))
                let result: Result<Value, any Error>
                do {
                    result = .success(try await body(database))
                } catch {
                    result = .failure(error)
                }
                await database.close()
                return try result.get()
            }
        }
    }
}

/// Runs `body` with one store on a fresh database of `kind`.
func withStore(_ kind: StoreKind, _ body: (any IntakeStore) async throws -> Void) async throws {
    try await TestDatabase.with(kind) { database in
        try await body(try await database.open())
    }
}

/// Runs `body` with a fresh database of `kind` (for tests that open more than one store on it).
func withDatabase(_ kind: StoreKind, _ body: (TestDatabase) async throws -> Void) async throws {
    try await TestDatabase.with(kind, body)
}
