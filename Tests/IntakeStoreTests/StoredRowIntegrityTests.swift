import IntakeCore
import IntakeModel
import IntakePostgres
import IntakeTestSupport
import Testing

/// Both stores follow one policy for what goes wrong: a corrupt stored row is reported, never
/// dropped or rewritten, and a request whose events make the shared transaction fail fails alone.
@Suite("IntakeStore failure policy")
struct StoredRowIntegrityTests {
    @Test(arguments: StoreKind.available)
    func aRowWhoseFieldsAreNotAnObjectIsReportedNotSkipped(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let store = try await database.open()
            _ = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "good")]))
            try await database.execute("UPDATE events SET fields = '[1,2]'")
            await #expect(throws: CorruptStoredRow.self) { try await store.events(EventPageQuery(account: "default")) }
        }
    }

    @Test(arguments: StoreKind.available)
    func aRowWithAnUnknownEventTypeIsReportedNotRewritten(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let store = try await database.open()
            _ = try await store.store(Fixtures.submission(events: [Fixtures.event(.lead)]))
            try await database.execute("UPDATE events SET event_type = 'refund'")
            await #expect(throws: CorruptStoredRow.self) { try await store.events(EventPageQuery(account: "default")) }
        }
    }

    /// A trigger that makes any insert of an event named `poison` fail, as one statement each.
    static func poisonTrigger(_ kind: StoreKind) -> [String] {
        switch kind {
        case .sqlite:
            [
                """
                CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.event_name = 'poison'
                BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                """
            ]
        case .postgres:
            [
                """
                CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.event_name = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF;
                    RETURN NEW;
                END $$
                """,
                "CREATE TRIGGER poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION poison()",
            ]
        }
    }

    @Test(arguments: StoreKind.available)
    func aSubmissionThatFailsTheBatchFailsAlone(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let store = try await database.open()
            for statement in Self.poisonTrigger(kind) { try await database.execute(statement) }
            // Submitted together, so they share a group commit whichever arrives first.
            let results = await withTaskGroup(of: (String, Result<EventSubmission.Outcome, any Error>).self) { group in
                for (name, key) in [("first", "k1"), ("poison", "k2"), ("last", nil)] as [(String, String?)] {
                    group.addTask {
                        do {
                            return (name, .success(try await store.store(Fixtures.submission(
                                events: [Fixtures.event(name: name)], key: key))))
                        } catch {
                            return (name, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: [String: Result<EventSubmission.Outcome, any Error>]()) { $0[$1.0] = $1.1 }
            }
            #expect(try results["first"]?.get().storedIDs?.count == 1)
            #expect(try results["last"]?.get().storedIDs?.count == 1)
            #expect(throws: (any Error).self) { try results["poison"]?.get() }
            let stored = try await store.events(EventPageQuery(account: "default"))
            #expect(stored.map(\.event.eventName).sorted() == ["first", "last"])
            // The failed request left no key behind: its retry is a new attempt, not a replay.
            try await database.execute("DROP TRIGGER poison" + (kind == .postgres ? " ON events" : ""))
            let retry = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "poison")], key: "k2"))
            #expect(retry.storedIDs?.count == 1)
        }
    }
}

/// A page of events costs bounded memory, whatever the events weigh.
@Suite("IntakeStore page size")
struct EventPageSizeTests {
    @Test(arguments: StoreKind.available)
    func aPageEndsEarlyPastItsByteBudgetAndPagingStillSeesEveryEvent(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let big: [String: JSONValue] = ["blob": .string(String(repeating: "x", count: 10_000))]
            var sent: [Int64] = []
            for number in 0..<12 {
                sent += try #require(try await store.store(Fixtures.submission(
                    events: [Fixtures.event(name: "e\(number)", fields: big)])).storedIDs)
            }
            var seen: [Int64] = []
            var after: EventCursor?
            var pages = 0
            while pages < 20 {
                let page = try await store.eventPage(EventPageQuery(account: "default", after: after, limit: 1000, maximumBytes: 30_000))
                pages += 1
                #expect(page.records.count <= 3, "a page of \(page.records.count) events of 10 kB each is past the 30 kB budget")
                seen += page.records.map(\.receipt.id)
                guard page.hasMore else { break }
                after = page.records.last?.cursor
            }
            #expect(seen == sent)
            #expect(pages == 4)
        }
    }
}
