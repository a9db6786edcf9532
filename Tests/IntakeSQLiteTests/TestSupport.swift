import Foundation
import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeTestSupport
import Testing

/// A fresh directory for one test's database files, removed afterwards.
struct TemporaryDatabase {
    let directory: URL
    var path: String { directory.appendingPathComponent("intake.sqlite").path }

    init() throws {
        directory = try TemporaryDirectory.make()
    }

    func open() throws -> SQLiteStore { try SQLiteStore(path: path) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Runs `body` with a store on a new database file, then deletes the file.
func withDatabase(_ body: (TemporaryDatabase, SQLiteStore) async throws -> Void) async throws {
    let database = try TemporaryDatabase()
    defer { database.remove() }
    let store = try database.open()
    try await body(database, store)
}
