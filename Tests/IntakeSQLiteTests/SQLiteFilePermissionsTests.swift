import Foundation
import IntakeCore
import IntakeSQLite
import IntakeTestSupport
import Logging
import Testing

/// The database holds secret hashes, the signing key and every event: only its owner may read it.
@Suite("SQLite file permissions")
struct SQLiteFilePermissionsTests {
    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test("A new database gets a 0700 directory and 0600 .sqlite, -wal and -shm files")
    func newDatabaseIsOwnerOnly() async throws {
        try await TemporaryDirectory.with { root in
            let directory = root.appendingPathComponent(".intake")
            let path = directory.appendingPathComponent("intake.sqlite").path
            let store = try SQLiteStore(path: path)
            // A first event-free write after opening, as a server's first registration would be.
            _ = try await store.registerClient(name: "first", account: "default")
            #expect(try mode(directory.path) == 0o700)
            for file in [path, path + "-wal", path + "-shm"] {
                #expect(FileManager.default.fileExists(atPath: file), "\(file) missing")
                let fileMode = try mode(file)
                #expect(fileMode == 0o600, "\(file) has mode \(String(fileMode, radix: 8))")
            }
            #expect(DatabaseFilePermissions.warnings(forDatabaseAt: path).isEmpty)
        }
    }

    @Test("An existing 0644 database file gets one warning naming it and chmod 600, and is left as it was")
    func looseExistingFileIsReported() async throws {
        try await TemporaryDirectory.with { root in
            let path = root.appendingPathComponent("intake.sqlite").path
            _ = try SQLiteStore(path: path, logger: CapturedLog().logger)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)

            let warnings = DatabaseFilePermissions.warnings(forDatabaseAt: path)
            #expect(warnings.count == 1, "\(warnings)")
            let warning = try #require(warnings.first)
            #expect(warning.contains(path))
            #expect(warning.contains("chmod 600 \(path)"))
            #expect(!warning.contains("\n"))

            // Opening it logs that warning, and does not silently change what the operator chose.
            let log = CapturedLog()
            _ = try SQLiteStore(path: path, logger: log.logger)
            #expect(log.messages(at: .warning) == warnings)
            #expect(try mode(path) == 0o644)
        }
    }

    @Test("A database directory that others may read or write is reported with chmod 700")
    func looseDirectoryIsReported() async throws {
        try await TemporaryDirectory.with { root in
            let directory = root.appendingPathComponent("data")
            let path = directory.appendingPathComponent("intake.sqlite").path
            _ = try SQLiteStore(path: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
            let warnings = DatabaseFilePermissions.warnings(forDatabaseAt: path)
            #expect(warnings == [
                "\(directory.path) is readable or writable by group or others (mode 0755); fix with: chmod 700 \(directory.path)"
            ])
        }
    }
}
