import IntakeSQLite
import Testing

@Suite("SQLiteStore durability settings")
struct SQLiteDurabilityTests {
    /// GRDB opens WAL pools with synchronous=NORMAL; a 2xx must mean the WAL was synced (FULL = 2).
    @Test func theWriterSyncsEveryCommit() async throws {
        try await withDatabase { _, store in
            #expect(try store.synchronousLevel() == 2)
        }
    }

    @Test func aReopenedStoreSyncsEveryCommitToo() async throws {
        try await withDatabase { database, _ in
            let reopened = try database.open()
            #expect(try reopened.synchronousLevel() == 2)
        }
    }
}
