import IntakeCore
import IntakeModel
import IntakeTestSupport
import Testing

/// What `--event-retention` and `intake events export` ask of a store: deleting the oldest
/// events in bounded batches, and reading every account's events in id order.
@Suite("IntakeStore: retention and export")
struct EventRetentionAndExportStoreTests {
    @Test("deleteEvents removes at most `limit` of the events that arrived before the cutoff, oldest first", arguments: StoreKind.available)
    func deletesOldestInBatches(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var old: [Int64] = []
            for index in 0..<5 {
                let outcome = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "old-\(index)")]))
                old += try #require(outcome.storedIDs)
            }
            let cutoff = try #require(try await store.events(EventPageQuery(account: "default")).map(\.receipt.receivedAt).max()) + 1
            try await Task.sleep(for: .milliseconds(5))
            let fresh = try #require(try await store.store(Fixtures.submission(events: [Fixtures.event(name: "fresh")])).storedIDs)

            #expect(try await store.deleteEvents(receivedBefore: cutoff, limit: 2) == 2)
            #expect(try await store.events(EventPageQuery(account: "default")).map(\.receipt.id) == Array(old.dropFirst(2)) + fresh)
            #expect(try await store.deleteEvents(receivedBefore: cutoff, limit: 500) == 3)
            #expect(try await store.deleteEvents(receivedBefore: cutoff, limit: 500) == 0)
            #expect(try await store.events(EventPageQuery(account: "default")).map(\.receipt.id) == fresh)
        }
    }

    @Test("An event stamped ahead stays until its time without holding back the older ones after it", arguments: StoreKind.available)
    func aheadOfTimeDoesNotBlock(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let store = try await database.open()
            var ids: [Int64] = []
            for index in 0..<6 {
                ids += try #require(try await store.store(Fixtures.submission(events: [Fixtures.event(name: "e\(index)")])).storedIDs)
            }
            let now = UnixTime.nowMilliseconds()
            // e0…e5 arrived a day ago, but for e1, stamped a day ahead, and e4, just now.
            try await database.execute("UPDATE events SET received_at = \(now - 86_400_000)")
            try await database.execute("UPDATE events SET received_at = \(now + 86_400_000) WHERE id = \(ids[1])")
            try await database.execute("UPDATE events SET received_at = \(now) WHERE id = \(ids[4])")
            let cutoff = now - 3_600_000
            #expect(try await store.deleteEvents(receivedBefore: cutoff, limit: 3) == 2, "e0 and e2, of e0…e2")
            #expect(try await store.deleteEvents(receivedBefore: cutoff, limit: 3) == 1, "e3, of e1, e3, e4")
            #expect(try await store.deleteEvents(receivedBefore: cutoff, limit: 3) == 1, "e5, of e1, e4, e5")
            #expect(try await store.deleteEvents(receivedBefore: cutoff, limit: 3) == 0)
            #expect(try await store.events(EventPageQuery(account: "default")).map(\.receipt.id) == [ids[1], ids[4]])
        }
    }

    @Test("With no account, pages cover every account in id order and carry the account", arguments: StoreKind.available)
    func everyAccountInIDOrder(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var expected: [(Int64, String)] = []
            for (index, account) in ["acme", "globex", "acme", "initech"].enumerated() {
                let outcome = try await store.store(
                    Fixtures.submission(account: account, events: [Fixtures.event(name: "e\(index)", source: index % 2 == 0 ? "s1" : "s2")]))
                expected += try #require(outcome.storedIDs).map { ($0, account) }
            }
            var read: [(Int64, String)] = []
            var query = EventPageQuery(account: nil, limit: 3)
            while true {
                let page = try await store.eventPage(query)
                read += page.records.map { ($0.receipt.id, $0.account) }
                guard page.hasMore, let last = page.records.last else { break }
                query.after = last.cursor
            }
            #expect(read.map(\.0) == expected.map(\.0))
            #expect(read.map(\.1) == expected.map(\.1))
            let s1 = try await store.events(EventPageQuery(account: nil, sourceID: "s1"))
            #expect(s1.map(\.event.eventName) == ["e0", "e2"])
            let acme = try await store.events(EventPageQuery(account: "acme"))
            #expect(acme.allSatisfy { $0.account == "acme" } && acme.count == 2)
        }
    }
}
