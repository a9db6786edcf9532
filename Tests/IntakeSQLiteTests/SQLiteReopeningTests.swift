import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeTestSupport
import Testing

/// What a SQLite file keeps once its store is gone and the file is opened again. The tests every
/// store must pass (PostgreSQL too) live in IntakeStoreTests.
@Suite("SQLiteStore reopening")
struct SQLiteReopeningTests {
    static let t0: Int64 = 1_575_280_800_000

    static let durableFields: [String: JSONValue] = [
        "big": .integer(9_007_199_254_740_993), "text": .string("é 🙂"), "yes": .bool(true), "nothing": .null,
        "nested": .object(["list": .array([.integer(1), .number(2.5), .object(["deep": .string("x")])])]),
    ]

    @Test func clientsSurviveReopening() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let client: ClientRecord
        let version: Int64
        do {
            let store = try database.open()
            (client, _) = try await store.registerClient(name: "durable", account: "acme")
            version = try await store.clientsVersion()
        }
        let reopened = try database.open()
        #expect(try await reopened.client(id: client.id) == client)
        #expect(try await reopened.clientsVersion() == version)
    }

    @Test func theSigningKeysSurviveReopening() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let original: [StoredSigningKey]
        do {
            let store = try database.open()
            try await KeyManager(store: store, cipher: .none, trail: .forTests(store)).ensureActiveKey(algorithm: .es256)
            original = try await store.signingKeys()
        }
        let reopened = try database.open()
        #expect(try await reopened.signingKeys() == original)
        #expect(original.count == 1)
    }

    @Test func eventsSurviveClosingAndReopening() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        var ids: [Int64] = []
        weak var closed: SQLiteStore?
        do {
            let store = try database.open()
            closed = store
            for index in 0..<6 {
                let event = Fixtures.event(name: "e\(index)", createdAt: Self.t0 + Int64(index) * 1000)
                ids += try #require(try await store.store(Fixtures.submission(events: [event])).storedIDs)
            }
            _ = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "rich", fields: Self.durableFields)]))
        }
        #expect(closed == nil, "the first store should be gone")
        let reopened = try database.open()
        let read = try await reopened.events(EventPageQuery(account: "default"))
        #expect(read.count == 7)
        #expect(Array(read.map(\.receipt.id).prefix(6)) == ids)
        #expect(read.last?.event.fields == Self.durableFields)
        // New ids keep growing after a reopen.
        let next = try #require(try await reopened.store(Fixtures.submission(events: [Fixtures.event()])).storedIDs)
        #expect(next.count == 1 && next[0] > read.last!.receipt.id)
    }

    @Test func idempotencyKeysSurviveReopening() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let firstReceipts: [CommitReceipt]
        do {
            let store = try database.open()
            let outcome = try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "durable", fingerprint: [4]))
            guard case .stored(let receipts) = outcome else { Issue.record("not stored"); return }
            firstReceipts = receipts
        }
        let reopened = try database.open()
        #expect(try await reopened.store(Fixtures.submission(events: [Fixtures.event()], key: "durable", fingerprint: [4])) == .replayed(firstReceipts))
        #expect(try await reopened.store(Fixtures.submission(events: [Fixtures.event()], key: "durable", fingerprint: [5])) == .keyReused)
        #expect(try await reopened.events(EventPageQuery(account: "default")).count == 1)
    }
}
