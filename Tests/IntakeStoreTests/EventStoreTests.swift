import IntakeCore
import IntakeModel
import IntakeTestSupport
import Testing

@Suite("IntakeStore as EventStore")
struct EventStoreTests {
    static let t0: Int64 = 1_575_280_800_000

    /// Stores three leads, two conversions and one action over two sources, one submission each.
    static func seed(_ store: some EventStore, account: String = "default", clientID: String = "client-1") async throws -> [Int64] {
        var ids: [Int64] = []
        let events = [
            Fixtures.event(.lead, name: "l1", source: "s1", createdAt: t0),
            Fixtures.event(.conversion, name: "c1", source: "s1", createdAt: t0 + 1000),
            Fixtures.event(.lead, name: "l2", source: "s2", createdAt: t0 + 2000),
            Fixtures.event(.action, name: "a1", source: "s2", createdAt: t0 + 3000),
            Fixtures.event(.lead, name: "l3", source: "s1", createdAt: t0 + 4000),
            Fixtures.event(.conversion, name: "c2", source: "s2", createdAt: t0 + 5000),
        ]
        for event in events {
            let outcome = try await store.store(Fixtures.submission(account: account, clientID: clientID, events: [event]))
            ids += try #require(outcome.storedIDs)
        }
        return ids
    }

    // MARK: storing

    @Test(arguments: StoreKind.available)
    func aSubmissionIsStoredAndReadBack(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let events = [
                Fixtures.event(.lead, name: "signup", source: "s1", eventID: "e1", personID: "p1", gaClientID: "GA1.2.3", createdAt: Self.t0),
                Fixtures.event(.conversion, name: "purchase", source: "s1", fields: [:], affiliateID: "aff-9", createdAt: Self.t0 + 5),
            ]
            let before = UnixTime.nowMilliseconds()
            let outcome = try await store.store(EventSubmission(account: "acme", clientID: "client-9", events: events))
            let after = UnixTime.nowMilliseconds()
            guard case .stored(let receipts) = outcome else {
                Issue.record("not stored: \(outcome)")
                return
            }
            #expect(receipts.count == 2)
            #expect(receipts[0].id < receipts[1].id)
            for receipt in receipts {
                #expect(receipt.receivedAt >= before - 1000 && receipt.receivedAt <= after + 1000)
            }

            let stored = try await store.events(EventPageQuery(account: "acme"))
            #expect(stored.count == 2)
            #expect(stored.map(\.event) == events)
            #expect(stored.map(\.receipt) == receipts)
            #expect(stored.allSatisfy { $0.clientID == "client-9" })
        }
    }

    @Test(arguments: StoreKind.available)
    func anEmptySubmissionStoresNothing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let outcome = try await store.store(Fixtures.submission(events: []))
            #expect(outcome.storedIDs == [])
            #expect(try await store.events(EventPageQuery(account: "default")).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func eventsComeBackOldestFirst(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let ids = try await Self.seed(store)
            #expect(ids == ids.sorted())
            #expect(Set(ids).count == ids.count)
            let read = try await store.events(EventPageQuery(account: "default"))
            #expect(read.map(\.receipt.id) == ids)
            #expect(read.map(\.event.eventName) == ["l1", "c1", "l2", "a1", "l3", "c2"])
        }
    }

    // MARK: queries

    @Test(arguments: StoreKind.available)
    func filterBySource(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await Self.seed(store)
            let s1 = try await store.events(EventPageQuery(account: "default", sourceID: "s1"))
            #expect(s1.map(\.event.eventName) == ["l1", "c1", "l3"])
            #expect(try await store.events(EventPageQuery(account: "default", sourceID: "nope")).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available, [(EventType.lead, ["l1", "l2", "l3"]), (.conversion, ["c1", "c2"]), (.action, ["a1"])])
    func filterByEventType(_ kind: StoreKind, filter: (type: EventType, expected: [String])) async throws {
        let (type, expected) = filter
        try await withStore(kind) { store in
            _ = try await Self.seed(store)
            #expect(try await store.events(EventPageQuery(account: "default", eventType: type)).map(\.event.eventName) == expected)
        }
    }

    @Test(arguments: StoreKind.available)
    func sinceIsInclusiveAndUntilExclusive(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await Self.seed(store)
            let since = try await store.events(EventPageQuery(account: "default", since: Self.t0 + 2000))
            #expect(since.map(\.event.eventName) == ["l2", "a1", "l3", "c2"])
            let until = try await store.events(EventPageQuery(account: "default", until: Self.t0 + 2000))
            #expect(until.map(\.event.eventName) == ["l1", "c1"])
            let window = try await store.events(EventPageQuery(account: "default", since: Self.t0 + 1000, until: Self.t0 + 4000))
            #expect(window.map(\.event.eventName) == ["c1", "l2", "a1"])
        }
    }

    @Test(arguments: StoreKind.available)
    func filtersCombine(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await Self.seed(store)
            let query = EventPageQuery(account: "default", sourceID: "s1", eventType: .lead, since: Self.t0 + 1)
            #expect(try await store.events(query).map(\.event.eventName) == ["l3"])
        }
    }

    @Test(arguments: StoreKind.available)
    func limitAndAfterCursorPageThroughEverything(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let ids = try await Self.seed(store)
            #expect(try await store.events(EventPageQuery(account: "default", limit: 2)).map(\.receipt.id) == Array(ids.prefix(2)))
            var seen: [Int64] = []
            var cursor: EventCursor?
            var pages = 0
            while true {
                let page = try await store.events(EventPageQuery(account: "default", after: cursor, limit: 4))
                if page.isEmpty { break }
                #expect(page.count <= 4)
                seen += page.map(\.receipt.id)
                cursor = page.last?.cursor
                pages += 1
                if pages > 10 { Issue.record("no end"); break }
            }
            #expect(seen == ids)
            #expect(pages == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func afterCursorWithAFilter(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let ids = try await Self.seed(store)
            // A bare id, as a cursor from before schema version 5 on PostgreSQL, or any on SQLite.
            let page = try await store.events(EventPageQuery(account: "default", after: EventCursor(id: ids[0]), sourceID: "s1"))
            #expect(page.map(\.event.eventName) == ["c1", "l3"])
            let all = try await store.events(EventPageQuery(account: "default"))
            #expect(try await store.events(EventPageQuery(account: "default", after: try #require(all.last).cursor)).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func accountsAreIsolated(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await Self.seed(store, account: "acme", clientID: "acme-1")
            _ = try await store.store(Fixtures.submission(account: "globex", clientID: "globex-1", events: [Fixtures.event(name: "g")]))
            let acme = try await store.events(EventPageQuery(account: "acme"))
            #expect(acme.count == 6)
            #expect(acme.allSatisfy { $0.clientID == "acme-1" })
            let globex = try await store.events(EventPageQuery(account: "globex"))
            #expect(globex.map(\.event.eventName) == ["g"])
            #expect(try await store.events(EventPageQuery(account: "default")).isEmpty)
            #expect(try await store.events(EventPageQuery(account: "globex", sourceID: "src-1", eventType: .lead)).map(\.event.eventName) == ["g"])
            #expect(try await store.events(EventPageQuery(account: "globex", after: EventCursor(id: 0), sourceID: "s2")).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func everyClientOfAnAccountSeesItsEvents(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.store(Fixtures.submission(account: "acme", clientID: "writer-1", events: [Fixtures.event(name: "one")]))
            _ = try await store.store(Fixtures.submission(account: "acme", clientID: "writer-2", events: [Fixtures.event(name: "two")]))
            let read = try await store.events(EventPageQuery(account: "acme"))
            #expect(read.map(\.clientID) == ["writer-1", "writer-2"])
        }
    }

    // MARK: fields

    static let richFields: [String: JSONValue] = [
        "big": .integer(9_007_199_254_740_993),
        "max": .integer(Int64.max),
        "min": .integer(Int64.min),
        "zero": .integer(0),
        "negative": .integer(-42),
        "ratio": .number(1.5),
        "tiny": .number(-0.000_123),
        "yes": .bool(true),
        "no": .bool(false),
        "nothing": .null,
        "text": .string("quote \" backslash \\ slash / newline \n tab \t é 🙂 日本"),
        "empty": .string(""),
        "list": .array([.integer(1), .string("two"), .array([]), .object([:]), .null]),
        "nested": .object([
            "level2": .object(["level3": .object(["id": .integer(9_007_199_254_740_993), "tags": .array([.string("a")])])]),
            "empty": .object([:]),
        ]),
    ]

    /// Nested values and a big positive integer, for tests about something other than number edge cases.
    static let durableFields: [String: JSONValue] = [
        "big": .integer(9_007_199_254_740_993), "text": .string("é 🙂"), "yes": .bool(true), "nothing": .null,
        "nested": .object(["list": .array([.integer(1), .number(2.5), .object(["deep": .string("x")])])]),
    ]

    @Test(arguments: StoreKind.available)
    func fieldsRoundTripExactly(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.store(Fixtures.submission(events: [Fixtures.event(fields: Self.richFields)]))
            let read = try #require(try await store.events(EventPageQuery(account: "default")).first)
            for (key, value) in Self.richFields {
                #expect(read.event.fields[key] == value, "\(key)")
            }
            #expect(read.event.fields == Self.richFields)
        }
    }

    static let bigIntegers: [Int64] = [9_007_199_254_740_993, 9_007_199_254_740_992, (1 << 62) + 1, Int64.max, Int64.min + 1]

    @Test(arguments: StoreKind.available, bigIntegers)
    func bigIntegersKeepEveryDigit(_ kind: StoreKind, value: Int64) async throws {
        try await withStore(kind) { store in
            _ = try await store.store(Fixtures.submission(events: [Fixtures.event(fields: ["n": .integer(value), "o": .object(["n": .integer(value)])])]))
            let read = try await store.events(EventPageQuery(account: "default"))
            #expect(read.first?.event.fields["n"] == .integer(value))
            #expect(read.first?.event.fields["o"] == .object(["n": .integer(value)]))
        }
    }

    // MARK: two stores

    @Test(arguments: StoreKind.available)
    func aSecondStoreOnTheSameDatabaseReadsTheEvents(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let writer = try await database.open()
            let reader = try await database.open()
            let ids = try await Self.seed(writer)
            _ = try await writer.store(Fixtures.submission(events: [Fixtures.event(name: "rich", fields: Self.durableFields)]))
            let read = try await reader.events(EventPageQuery(account: "default"))
            #expect(read.count == 7)
            #expect(Array(read.map(\.receipt.id).prefix(6)) == ids)
            #expect(read.last?.event.fields == Self.durableFields)
            // Ids keep growing whichever store writes next.
            let next = try #require(try await reader.store(Fixtures.submission(events: [Fixtures.event()])).storedIDs)
            #expect(next.count == 1 && next[0] > read.last!.receipt.id)
            #expect(try await writer.events(EventPageQuery(account: "default")).map(\.receipt.id) == read.map(\.receipt.id) + next)
        }
    }

    // MARK: group commit

    @Test(arguments: StoreKind.available)
    func twoHundredConcurrentSubmissionsAreAllStored(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let event = Fixtures.event(name: "e\(index)", source: "s\(index % 7)", fields: ["index": .integer(Int64(index))])
                        let outcome = try await store.store(Fixtures.submission(clientID: "c\(index % 5)", events: [event]))
                        return try #require(outcome.storedIDs)
                    }
                }
                var all: [Int64] = []
                for try await ids in group { all += ids }
                return all
            }
            #expect(ids.count == 200)
            #expect(Set(ids).count == 200)
            let read = try await store.events(EventPageQuery(account: "default", limit: EventPageQuery.maximumLimit))
            #expect(read.count == 200)
            #expect(Set(read.map(\.receipt.id)) == Set(ids))
            #expect(Set(read.map(\.event.eventName)) == Set((0..<200).map { "e\($0)" }))
            // Oldest first in the store's order: by id on SQLite, by (transaction, id) on PostgreSQL,
            // where batches commit concurrently and so not always in id order.
            let order = read.map { ($0.cursor.transaction ?? 0, $0.cursor.id) }
            #expect(zip(order, order.dropFirst()).allSatisfy { $0 < $1 })
            for event in read {
                #expect(event.event.fields["index"].map { "e\($0.integerValue ?? -1)" } == event.event.eventName)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentMultiEventSubmissionsStayTogether(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let batches = try await withThrowingTaskGroup(of: (Int, [Int64]).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let events = (0..<4).map { Fixtures.event(name: "b\(index)-\($0)") }
                        return (index, try #require(try await store.store(Fixtures.submission(events: events)).storedIDs))
                    }
                }
                var all: [Int: [Int64]] = [:]
                for try await (index, ids) in group { all[index] = ids }
                return all
            }
            #expect(batches.count == 50)
            let read = try await store.events(EventPageQuery(account: "default", limit: EventPageQuery.maximumLimit))
            let byID = Dictionary(uniqueKeysWithValues: read.map { ($0.receipt.id, $0.event.eventName) })
            for (index, ids) in batches {
                #expect(ids.count == 4)
                #expect(ids == ids.sorted())
                #expect(ids.map { byID[$0] } == (0..<4).map { "b\(index)-\($0)" })
            }
            #expect(read.count == 200)
        }
    }
}

extension JSONValue {
    var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}
