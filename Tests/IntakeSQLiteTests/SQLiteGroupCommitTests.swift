import GRDB
import IntakeCore
import IntakeTestSupport
import Testing

@testable import IntakeSQLite

/// A batch shares one transaction; a request that makes it fail must not take the others down.
@Suite("SQLiteStore group commit")
struct SQLiteGroupCommitTests {
    @Test func aFailingSubmissionFailsAloneAndTheRestOfItsBatchIsStored() async throws {
        try await withDatabase { _, store in
            // A trigger stands in for any error one request could cause in the shared transaction.
            try await store.pool.write { db in
                try db.execute(sql: """
                    CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.event_name = 'poison'
                    BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                    """)
            }
            let batch = [
                Fixtures.submission(events: [Fixtures.event(name: "first")], key: "k1"),
                Fixtures.submission(events: [Fixtures.event(name: "ok"), Fixtures.event(name: "poison")], key: "k2"),
                Fixtures.submission(events: [Fixtures.event(name: "last")]),
            ]
            let results = await SQLiteStore.commit(batch, to: store.pool)

            #expect(results.count == 3)
            #expect(try results[0].get().storedIDs?.count == 1)
            #expect(throws: DatabaseError.self) { try results[1].get() }
            #expect(try results[2].get().storedIDs?.count == 1)
            let stored = try await store.events(EventPageQuery(account: "default"))
            #expect(stored.map(\.event.eventName) == ["first", "last"])
            // The failed request left no key behind: its retry is a new attempt, not a replay.
            let retry = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "fixed")], key: "k2"))
            #expect(retry.storedIDs?.count == 1)
        }
    }
}
