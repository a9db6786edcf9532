import IntakeCore
import IntakePostgres
import IntakeTestSupport
import PostgresNIO
import Testing

/// Says in the output of every run without PostgreSQL that the `.postgres` cases of the store
/// suite were not generated; with PostgreSQL, checks that they are and that the server answers.
@Suite("PostgreSQL availability")
struct PostgresAvailabilityTests {
    @Test(
        "The store suite runs against PostgreSQL too",
        .enabled(
            if: PostgresTestDatabase.isConfigured,
            "\(PostgresTestDatabase.skipMessage): every .postgres case of IntakeStoreTests is left out"))
    func postgresCasesAreGenerated() async throws {
        #expect(StoreKind.available.contains(.postgres))
        try await withStore(.postgres) { store in
            try await store.checkReadiness()
            #expect(try await store.clients().isEmpty, "a test database must start empty")
        }
    }
}

/// What only a shared database has: several instances migrating, committing and reading at once.
@Suite(
    "PostgresStore: several instances on one database",
    .enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.skipMessage)))
struct PostgresSharedDatabaseTests {
    static func migrationRows(_ store: PostgresStore) async throws -> [Int] {
        var versions: [Int] = []
        let rows = try await store.client.query(
            "SELECT version FROM intake_migrations ORDER BY version", logger: PostgresTestDatabase.logger)
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }

    @Test func migrationsAreIdempotentWhenStoresMigrateConcurrently() async throws {
        try await withDatabase(.postgres) { database in
            var stores: [PostgresStore] = []
            for _ in 0..<4 { stores.append(try await database.openPostgres(migrate: false)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { try await store.migrate() } }
                try await group.waitForAll()
            }
            let versions = try await Self.migrationRows(stores[0])
            #expect(!versions.isEmpty)
            #expect(Set(versions).count == versions.count, "a migration was recorded twice: \(versions)")

            // Migrating again, concurrently, changes nothing and keeps the data.
            let (client, _) = try await stores[0].registerClient(name: "kept")
            let version = try await stores[1].clientsVersion()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { try await store.migrate() } }
                try await group.waitForAll()
            }
            #expect(try await Self.migrationRows(stores[2]) == versions)
            #expect(try await stores[3].clients() == [client])
            #expect(try await stores[3].clientsVersion() == version)

            // Every store works on the migrated schema.
            for (index, store) in stores.enumerated() {
                let outcome = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "from-\(index)")]))
                #expect(outcome.storedIDs?.count == 1)
            }
            #expect(try await stores[0].events(EventPageQuery(account: "default")).count == stores.count)
        }
    }

    @Test func withRunningStoreMigratesAndServesFromAURL() async throws {
        try await PostgresTestDatabase.withFreshDatabase { name in
            let url = try PostgresTestDatabase.url(database: name)
            let (client, _) = try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { store in
                try await store.registerClient(name: "first-start")
            }
            // A second start on the same database finds the schema in place and the data kept.
            let clients = try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { store in
                try await store.clients()
            }
            #expect(clients == [client])
        }
    }

    /// Each instance group-commits its own requests; ids stay unique across instances, every
    /// submission's events stay together and in order, and reading returns them in id order.
    @Test func concurrentGroupCommitsFromTwoStoresGetDistinctOrderedIDs() async throws {
        try await withDatabase(.postgres) { database in
            let a = try await database.openPostgres()
            let b = try await database.openPostgres()
            let submissions = 120
            let stored = try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
                for index in 0..<submissions {
                    let store = index.isMultiple(of: 2) ? a : b
                    group.addTask {
                        let tag = "\(index.isMultiple(of: 2) ? "a" : "b")\(index)"
                        let events = (0..<(1 + index % 3)).map { Fixtures.event(name: "\(tag)-\($0)", source: tag) }
                        let outcome = try await store.store(Fixtures.submission(clientID: "c\(index % 2)", events: events))
                        return (tag, try #require(outcome.storedIDs))
                    }
                }
                var all: [String: [Int64]] = [:]
                for try await (tag, ids) in group { all[tag] = ids }
                return all
            }
            #expect(stored.count == submissions)
            let allIDs = stored.values.flatMap { $0 }
            let expectedCount = (0..<submissions).reduce(0) { $0 + 1 + $1 % 3 }
            #expect(allIDs.count == expectedCount)
            #expect(Set(allIDs).count == allIDs.count, "two events got the same id")

            for reader in [a, b] {
                let read = try await reader.events(EventPageQuery(account: "default", limit: EventPageQuery.maximumLimit))
                #expect(read.count == expectedCount)
                #expect(read.map(\.receipt.id).sorted() == allIDs.sorted(), "not every event reads back, once")
                let nameByID = Dictionary(uniqueKeysWithValues: read.map { ($0.receipt.id, $0.event.eventName) })
                for (tag, ids) in stored {
                    #expect(ids == ids.sorted(), "\(tag): ids out of order")
                    #expect(ids.map { nameByID[$0] } == (0..<ids.count).map { "\(tag)-\($0)" }, "\(tag)")
                }
            }
        }
    }

    /// Instances commit concurrently, so events commit out of id order; a reader that pages with
    /// `after` while two instances write still sees every event once, since pages follow commit
    /// order and cover only finished transactions.
    @Test func aReaderPagingWhileTwoStoresWriteSeesEveryEventOnce() async throws {
        try await withDatabase(.postgres) { database in
            let a = try await database.openPostgres()
            let b = try await database.openPostgres()
            let reader = try await database.openPostgres()
            let writes = 150
            let (written, seen) = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for index in 0..<writes {
                    let store = index.isMultiple(of: 2) ? a : b
                    group.addTask {
                        let outcome = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "w\(index)")]))
                        return try #require(outcome.storedIDs)
                    }
                }
                var written: [Int64] = []
                var pending = writes
                var seen: [Int64] = []
                var cursor: EventCursor?
                // Page while the writes are under way; once all are done, one last pass to the end.
                while true {
                    let allWritten = pending == 0
                    while true {
                        let page = try await reader.events(EventPageQuery(account: "default", after: cursor, limit: 7))
                        seen += page.map(\.receipt.id)
                        cursor = page.last?.cursor ?? cursor
                        if page.count < 7 { break }
                    }
                    if allWritten { break }
                    if let ids = try await group.next() {
                        written += ids
                        pending -= 1
                    }
                }
                return (written, seen)
            }
            #expect(written.count == writes)
            #expect(seen.count == written.count && Set(seen) == Set(written), "the paging reader skipped or repeated events")
        }
    }

    /// An event-writing transaction still open holds back what pages cover: an event committed
    /// after it started (by another instance, with a higher id and a later transaction) is not
    /// read yet, so the reader's cursor cannot pass the open transaction's event, which then
    /// arrives on the next page. Only event writers count: an unrelated open transaction in the
    /// cluster holds back nothing.
    @Test func anOpenEventWriterHoldsBackLaterCommitsAndNothingElseDoes() async throws {
        try await withDatabase(.postgres) { database in
            let writer = try await database.openPostgres()
            let newer = try await database.openPostgres()
            let other = try await database.openPostgres()
            let reader = try await database.openPostgres()
            let early = try #require(try await other.store(Fixtures.submission(events: [Fixtures.event(name: "early")])).storedIDs)
            try await writer.client.withTransaction(logger: PostgresTestDatabase.logger) { connection in
                // As EventStatements do: the shared writer lock first, then the write.
                try await connection.query("SELECT pg_advisory_xact_lock_shared(\(PostgresStore.eventWriterLock))", logger: PostgresTestDatabase.logger)
                try await connection.query(
                    """
                    INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, created_at, received_at)
                    VALUES ('default', 'c', 'lead', 'slow', 's', '{}', 0, 0)
                    """, logger: PostgresTestDatabase.logger)
                let later = try #require(try await other.store(Fixtures.submission(events: [Fixtures.event(name: "later")])).storedIDs)
                #expect(later[0] > early[0])
                // A second writer, newer than every finished transaction, open at the same time.
                try await newer.client.withTransaction(logger: PostgresTestDatabase.logger) { connection in
                    try await connection.query("SELECT pg_advisory_xact_lock_shared(\(PostgresStore.eventWriterLock))", logger: PostgresTestDatabase.logger)
                    try await connection.query(
                        """
                        INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, created_at, received_at)
                        VALUES ('default', 'c', 'lead', 'newer', 's', '{}', 0, 0)
                        """, logger: PostgresTestDatabase.logger)
                    let first = try await reader.eventPage(EventPageQuery(account: "default"))
                    #expect(first.records.map(\.receipt.id) == early, "read past an event writer still open")
                }
            }
            // A transaction that writes no events holds nothing back.
            try await other.client.withTransaction(logger: PostgresTestDatabase.logger) { connection in
                try await connection.query("INSERT INTO audit (at, actor, action, subject, detail) VALUES (0, 'x', 'y', 'z', '')", logger: PostgresTestDatabase.logger)
                let all = try await reader.events(EventPageQuery(account: "default"))
                #expect(all.map(\.event.eventName) == ["early", "slow", "later", "newer"])
            }
        }
    }

    @Test("32-bit transaction ids are widened to the 64-bit id nearest the reference, across an epoch")
    func transactionIDsWiden() {
        #expect(PostgresStore.widened(998, near: 1000) == 998)
        #expect(PostgresStore.widened(1003, near: 1000) == 1003, "a writer newer than the snapshot's xmax")
        let epochOne: Int64 = 1 << 32
        #expect(PostgresStore.widened(0xFFFF_FFFE, near: epochOne + 5) == epochOne - 2)
        #expect(PostgresStore.widened(3, near: epochOne + 5) == epochOne + 3)
        #expect(PostgresStore.widened(9, near: epochOne - 2) == epochOne + 9)
    }
}
