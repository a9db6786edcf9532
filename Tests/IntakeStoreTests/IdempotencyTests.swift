import IntakeCore
import IntakeTestSupport
import Testing

@Suite("IntakeStore idempotency keys")
struct IdempotencyTests {
    static func count(_ store: some EventStore, account: String = "default") async throws -> Int {
        try await store.events(EventPageQuery(account: account, limit: EventPageQuery.maximumLimit)).count
    }

    @Test(arguments: StoreKind.available)
    func sameKeyAndFingerprintReplaysTheFirstResponse(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.store(Fixtures.submission(events: [Fixtures.event(), Fixtures.event()], key: "k1", fingerprint: [9, 9]))
            let firstIDs = try #require(first.storedIDs)
            guard case .stored(let receipts) = first else { Issue.record("not stored"); return }
            let second = try await store.store(Fixtures.submission(
                events: [Fixtures.event(), Fixtures.event()], key: "k1", fingerprint: [9, 9]))
            #expect(second == .replayed(receipts))
            #expect(second.replayedIDs == firstIDs)
            #expect(try await Self.count(store) == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func sameKeyWithAnotherFingerprintIsKeyReused(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "k1", fingerprint: [1]))
            let second = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "other")], key: "k1", fingerprint: [2]))
            #expect(second == .keyReused)
            #expect(try await Self.count(store) == 1)
            // The original is still replayable.
            let third = try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "k1", fingerprint: [1]))
            guard case .replayed = third else { Issue.record("expected replay, got \(third)"); return }
        }
    }

    @Test(arguments: StoreKind.available)
    func differentClientsMayUseTheSameKey(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = try await store.store(Fixtures.submission(clientID: "a", events: [Fixtures.event()], key: "shared", fingerprint: [1]))
            let b = try await store.store(Fixtures.submission(clientID: "b", events: [Fixtures.event()], key: "shared", fingerprint: [2]))
            #expect(a.storedIDs?.count == 1)
            #expect(b.storedIDs?.count == 1)
            #expect(a.storedIDs != b.storedIDs)
            #expect(try await Self.count(store) == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func differentKeysFromOneClientAreIndependent(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "k1"))
            let b = try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "k2"))
            #expect(a.storedIDs?.count == 1)
            #expect(b.storedIDs?.count == 1)
            #expect(try await Self.count(store) == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func submissionsWithoutAKeyAreNeverDeduplicated(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for _ in 0..<3 { _ = try await store.store(Fixtures.submission(events: [Fixtures.event()])) }
            #expect(try await Self.count(store) == 3)
        }
    }

    @Test(arguments: StoreKind.available)
    func purgeForgetsKeysOlderThanTheCutoff(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "old", fingerprint: [1]))
            let now = UnixTime.now()

            // A cutoff long before the key was seen keeps it.
            try await store.purgeIdempotencyKeys(olderThan: now - IdempotencyKey.retentionSeconds)
            #expect(try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "old", fingerprint: [2])) == .keyReused)

            // A cutoff after it forgets it: the key is free again and stores anew.
            try await store.purgeIdempotencyKeys(olderThan: now + 3600)
            let reused = try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "old", fingerprint: [2]))
            #expect(reused.storedIDs?.count == 1)
            #expect(try await Self.count(store) == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func purgeLeavesEventsAlone(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "k"))
            try await store.purgeIdempotencyKeys(olderThan: UnixTime.now() + 3600)
            #expect(try await Self.count(store) == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentRepeatsOfOneKeyStoreOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await Self.expectOneStoredAndTheRestReplayed(Self.race(through: [store]))
            #expect(try await Self.count(store) == 1)
        }
    }

    /// A retry that a load balancer sends to another instance is still recognised.
    @Test(arguments: StoreKind.available)
    func aSecondStoreOnTheSameDatabaseHonoursTheKey(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let a = try await database.open()
            let b = try await database.open()
            let first = try await a.store(Fixtures.submission(events: [Fixtures.event()], key: "k", fingerprint: [1]))
            guard case .stored(let response) = first else { Issue.record("not stored"); return }
            #expect(try await b.store(Fixtures.submission(events: [Fixtures.event()], key: "k", fingerprint: [1])) == .replayed(response))
            #expect(try await b.store(Fixtures.submission(events: [Fixtures.event()], key: "k", fingerprint: [2])) == .keyReused)
            #expect(try await Self.count(b) == 1)
            // Purging through B forgets the key for A too.
            try await b.purgeIdempotencyKeys(olderThan: UnixTime.now() + 3600)
            #expect(try await a.store(Fixtures.submission(events: [Fixtures.event()], key: "k", fingerprint: [2])).storedIDs?.count == 1)
            #expect(try await Self.count(a) == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentRepeatsThroughTwoStoresStoreOnce(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let a = try await database.open()
            let b = try await database.open()
            try await Self.expectOneStoredAndTheRestReplayed(Self.race(through: [a, b]))
            #expect(try await Self.count(a) == 1)
        }
    }

    /// Submissions sent together share a group commit: a stored key among them (replayed or
    /// reused) must not hold back or duplicate the others, keyed or not.
    @Test(arguments: StoreKind.available)
    func aStoredKeyAmongNewSubmissionsAnswersEachOnItsOwn(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.store(Fixtures.submission(events: [Fixtures.event(), Fixtures.event()], key: "old", fingerprint: [1]))
            let firstIDs = try #require(first.storedIDs)
            let submissions = (0..<8).flatMap { round in
                [
                    Fixtures.submission(events: [Fixtures.event()], key: "old", fingerprint: [1]),
                    Fixtures.submission(events: [Fixtures.event(name: "other")], key: "old", fingerprint: [2]),
                    Fixtures.submission(events: [Fixtures.event(), Fixtures.event()], key: "new-\(round)", fingerprint: [3]),
                    Fixtures.submission(events: [Fixtures.event()]),
                ]
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, EventSubmission.Outcome).self) { group in
                for (index, submission) in submissions.enumerated() {
                    group.addTask { (index, try await store.store(submission)) }
                }
                var outcomes: [Int: EventSubmission.Outcome] = [:]
                for try await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
            var newIDs: [Int64] = []
            for (index, outcome) in outcomes {
                switch index % 4 {
                case 0: #expect(outcome.replayedIDs == firstIDs)
                case 1: #expect(outcome == .keyReused)
                default: newIDs += try #require(outcome.storedIDs, "submission \(index): \(outcome)")
                }
            }
            #expect(newIDs.count == 8 * 3)
            #expect(Set(newIDs).count == newIDs.count)
            #expect(try await Self.count(store) == 2 + 8 * 3)
            // The new keys were stored with their receipts.
            let again = try await store.store(Fixtures.submission(events: [Fixtures.event(), Fixtures.event()], key: "new-0", fingerprint: [3]))
            #expect(again.replayedIDs == outcomes[2]?.storedIDs)
        }
    }

    /// 20 concurrent submissions of one event under one key and fingerprint, spread over `stores`.
    static func race(through stores: [any IntakeStore]) async throws -> [EventSubmission.Outcome] {
        try await withThrowingTaskGroup(of: EventSubmission.Outcome.self) { group in
            for index in 0..<20 {
                let store = stores[index % stores.count]
                group.addTask {
                    try await store.store(Fixtures.submission(events: [Fixtures.event()], key: "race", fingerprint: [7]))
                }
            }
            var all: [EventSubmission.Outcome] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
    }

    static func expectOneStoredAndTheRestReplayed(_ outcomes: [EventSubmission.Outcome]) {
        let stored = outcomes.compactMap(\.storedIDs)
        let replayed = outcomes.compactMap(\.replayedIDs)
        #expect(stored.count == 1)
        #expect(replayed.count == outcomes.count - 1)
        #expect(replayed.allSatisfy { $0 == stored.first })
    }
}
