import IntakeCore
import IntakeModel
import Testing

/// The idempotency decision both stores share, with no database: what each submission of one group
/// commit becomes, given the keys already stored.
@Suite struct IdempotencyPlanTests {
    static func submission(client: String = "c1", key: String?, fingerprint: [UInt8] = [1], events: Int = 1) -> EventSubmission {
        let event = EventInput(eventType: .lead, eventName: "signup", sourceID: "s", fields: [:], createdAt: 0)
        return EventSubmission(
            account: "default", clientID: client, events: Array(repeating: event, count: events),
            idempotencyKey: key.map { IdempotencyKey(key: $0, fingerprint: fingerprint) })
    }

    static func stored(_ ids: [Int64], fingerprint: [UInt8] = [1]) -> StoredIdempotencyKey {
        StoredIdempotencyKey(fingerprint: fingerprint, receipts: ids.map { CommitReceipt(id: $0, receivedAt: 5) }, receivedAt: 5)
    }

    @Test func withoutKeysEverythingIsFreshAndIDsAreSplitInOrder() {
        let plan = IdempotencyPlan(
            [Self.submission(key: nil, events: 2), Self.submission(key: nil), Self.submission(key: nil, events: 0)], stored: [:])
        #expect(plan.decisions == [.fresh, .fresh, .fresh])
        #expect(plan.freshIndices == [0, 1, 2])
        let receipts = plan.receipts(forInsertedIDs: [10, 11, 12], receivedAt: 7)
        #expect(plan.outcomes(receipts: receipts) == [
            .stored([CommitReceipt(id: 10, receivedAt: 7), CommitReceipt(id: 11, receivedAt: 7)]),
            .stored([CommitReceipt(id: 12, receivedAt: 7)]),
            .stored([]),
        ])
    }

    @Test func aStoredKeyReplaysWithTheSameFingerprintAndIsReusedWithAnother() {
        let reference = IdempotencyKeyReference(clientID: "c1", key: "k")
        let plan = IdempotencyPlan(
            [Self.submission(key: "k", fingerprint: [1]), Self.submission(key: "k", fingerprint: [2])],
            stored: [reference: Self.stored([3, 4])])
        #expect(plan.freshIndices.isEmpty)
        #expect(plan.outcomes(receipts: [:]) == [
            .replayed([CommitReceipt(id: 3, receivedAt: 5), CommitReceipt(id: 4, receivedAt: 5)]),
            .keyReused,
        ])
    }

    @Test func aKeyRepeatedInsideOneGroupIsStoredOnceAndReplayedToTheRepeat() {
        let plan = IdempotencyPlan(
            [Self.submission(key: "k"), Self.submission(key: "k"), Self.submission(key: "k", fingerprint: [9])], stored: [:])
        #expect(plan.decisions == [.fresh, .sameAs(0), .keyReused])
        let receipts = plan.receipts(forInsertedIDs: [20], receivedAt: 1)
        let first = [CommitReceipt(id: 20, receivedAt: 1)]
        #expect(plan.outcomes(receipts: receipts) == [.stored(first), .replayed(first), .keyReused])
    }

    @Test func onlyKeysOfFreshSubmissionsAreStoredWithTheirReceipts() {
        let submissions = [Self.submission(key: "k"), Self.submission(key: "k"), Self.submission(key: nil, events: 2)]
        let plan = IdempotencyPlan(submissions, stored: [:])
        let receipts = plan.receipts(forInsertedIDs: [1, 2, 3], receivedAt: 9)
        let keys = plan.keysToStore(submissions, receipts: receipts, receivedAt: 9)
        #expect(keys.map(\.reference) == [IdempotencyKeyReference(clientID: "c1", key: "k")])
        #expect(keys.map(\.stored) == [
            StoredIdempotencyKey(fingerprint: [1], receipts: [CommitReceipt(id: 1, receivedAt: 9)], receivedAt: 9)
        ])
    }

    @Test func keysBelongToTheirClient() {
        let plan = IdempotencyPlan(
            [Self.submission(client: "c1", key: "k"), Self.submission(client: "c2", key: "k")],
            stored: [IdempotencyKeyReference(clientID: "c3", key: "k"): Self.stored([1])])
        #expect(plan.decisions == [.fresh, .fresh])
        #expect(IdempotencyPlan.references([Self.submission(key: "k"), Self.submission(key: nil)])
            == [IdempotencyKeyReference(clientID: "c1", key: "k")])
    }

    @Test func storedEventIDListsRoundTripAndACorruptOneIsReported() throws {
        let stored = Self.stored([7, 8, 9])
        #expect(stored.eventIDList == "7,8,9")
        #expect(try StoredIdempotencyKey(fingerprint: [1], eventIDList: "7,8,9", receivedAt: 5) == stored)
        #expect(try StoredIdempotencyKey(fingerprint: [1], eventIDList: "", receivedAt: 5).receipts.isEmpty)
        #expect(throws: CorruptStoredRow.self) { try StoredIdempotencyKey(fingerprint: [1], eventIDList: "7,x", receivedAt: 5) }
    }
}
