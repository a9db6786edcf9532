import Foundation
import GRDB
import IntakeCore
import Logging

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a committed
/// transaction survives a crash of the process or the machine.
///
/// Event writes go through a ``GroupCommitQueue``: concurrent requests share one transaction and
/// one fsync. Reads use the pool's reader connections and never wait on writes.
///
/// ```swift
/// let store = try SQLiteStore(path: ".intake/intake.sqlite")
/// let clients = try await store.clients()
/// ```
package final class SQLiteStore: Sendable {
    let pool: DatabasePool
    let eventWriter: GroupCommitQueue<EventSubmission, EventSubmission.Outcome>

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    ///
    /// A new database gets an owner-only directory and files (see ``DatabaseFilePermissions``);
    /// an existing one whose files group or others may read or write is logged as a warning.
    package init(path: String, logger: Logger = Logger(label: "intake.sqlite")) throws {
        for warning in DatabaseFilePermissions.warnings(forDatabaseAt: path) {
            logger.warning("\(warning)")
        }
        let created = try DatabaseFilePermissions.createIfAbsent(databaseAt: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB opens WAL pools with synchronous=NORMAL, which can lose the last commits on power
        // loss. FULL syncs the WAL at every commit: a 2xx then means the event is on disk. Only the
        // writer connection commits, and it lives as long as the pool.
        // secure_delete: a retired signing key's material is overwritten in the file, not left in
        // a free page.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON")
        }
        try Self.migrator.migrate(pool)
        if created {
            // The -wal and -shm exist by now (WAL mode, first write done).
            DatabaseFilePermissions.tighten(path)
        }
        self.pool = pool
        self.eventWriter = GroupCommitQueue(database: "sqlite") { submissions in
            await Self.commit(submissions, to: pool)
        }
    }
}

extension SQLiteStore {
    /// The value of a one-row version table that a trigger bumps on every change (`clients_version`,
    /// `revocations_version`): what instances poll each second.
    func versionCounter(_ table: StaticString) async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT version FROM \(table) WHERE id = 1") ?? 0 }
    }
}

extension SQLiteStore: IntakeStore {
    package func checkReadiness() async throws {
        try await pool.read { db in try db.execute(sql: "SELECT 1") }
    }

    package func checkWritable() async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO settings (name, value) VALUES ('write_check', ?)",
                arguments: [Data(String(UnixTime.nowMilliseconds()).utf8)])
        }
    }
}

extension SQLiteStore {
    /// The writer's `PRAGMA synchronous` level (2 = FULL), for tests and diagnostics.
    package func synchronousLevel() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }
}
