import IntakeSQLite
import Testing

@Suite("SQLiteStore durability settings")
struct SQLiteDurabilityTests {
    /// GRDB opens WAL pools with synchronous=NORMAL; a 2xx must mean the WAL was synced (FULL = 2).
    @Test func theWriterSyncsEveryCommit() async throws {
        try await withDatabase { _, store in
            let level = try store.synchronousLevel()
            #expect(level == 2)
        }
    }

    @Test func aReopenedStoreSyncsEveryCommitToo() async throws {
        try await withDatabase { database, _ in
            let level = try database.open().synchronousLevel()
            #expect(level == 2)
        }
    }
}
