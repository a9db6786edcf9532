import Foundation
import GRDB
import IntakeCore
import IntakeModel

extension SQLiteStore: EventStore {
    package func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome {
        try await eventWriter.submit(submission)
    }

    package func eventPage(_ query: EventPageQuery) async throws -> EventRecordPage {
        try await pool.read { db in
            let sourceID = query.sourceID
            let eventType = query.eventType?.rawValue
            var page = EventRecordPageBuilder(query)
            // A cursor, not fetchAll: rows are decoded one at a time and reading stops with the page.
            // Without an account (an export) the rows are read in primary-key order, no index needed.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT * FROM events
                    WHERE \(query.account == nil ? "" : "account = ? AND ")id > ?
                      AND (? IS NULL OR source_id = ?) AND (? IS NULL OR event_type = ?)
                      AND created_at >= ? AND created_at < ?
                    ORDER BY id LIMIT ?
                    """,
                arguments: StatementArguments(query.account.map { [$0] } ?? [])
                    + [
                        query.after?.id ?? 0, sourceID, sourceID, eventType, eventType, query.since ?? Int64.min,
                        query.until ?? Int64.max, page.rowLimit,
                    ])
            while let row = try rows.next() {
                let fields: String = row["fields"]
                let added = try page.add(fieldsJSON: fields) {
                    try EventRecord(
                        id: row["id"], receivedAt: row["received_at"], account: row["account"], clientID: row["client_id"],
                        eventType: row["event_type"], eventName: row["event_name"], sourceID: row["source_id"],
                        fieldsJSON: fields, eventID: row["event_id"], personID: row["person_id"],
                        gaClientID: row["ga_client_id"], affiliateID: row["affiliate_id"], createdAt: row["created_at"])
                }
                if !added { break }
            }
            return page.page
        }
    }

    package func purgeIdempotencyKeys(olderThan cutoff: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [cutoff])
        }
    }

    package func deleteEvents(receivedBefore cutoff: Int64, limit: Int) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM events WHERE id IN (
                        SELECT id FROM (SELECT id, received_at FROM events ORDER BY id LIMIT ?) WHERE received_at < ?)
                    """,
                arguments: [limit, cutoff])
            return db.changesCount
        }
    }

    /// Commits a batch of submissions, with the failure policy both stores share
    /// (``GroupCommitQueue/commitIsolatingFailures(_:_:)``).
    static func commit(_ submissions: [EventSubmission], to pool: DatabasePool) async -> [Result<EventSubmission.Outcome, any Error>] {
        await GroupCommitQueue.commitIsolatingFailures(submissions) { batch in
            try await pool.write { db in try write(batch, in: db) }
        }
    }

    /// Writes a batch of submissions in one transaction with cached statements: look the keys up,
    /// insert what the plan calls fresh, remember the new keys.
    private static func write(_ submissions: [EventSubmission], in db: Database) throws -> [EventSubmission.Outcome] {
        let plan = IdempotencyPlan(submissions, stored: try storedKeys(IdempotencyPlan.references(submissions), in: db))
        let receivedAt = UnixTime.nowMilliseconds()
        let insertEvent = try db.cachedStatement(sql: """
            INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, event_id, person_id,
                                ga_client_id, affiliate_id, created_at, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var ids: [Int64] = []
        for index in plan.freshIndices {
            let submission = submissions[index]
            for event in submission.events {
                try insertEvent.execute(arguments: [
                    submission.account, submission.clientID, event.eventType.rawValue, event.eventName, event.sourceID,
                    JSONValue.object(event.fields).jsonText, event.eventID, event.personID, event.gaClientID,
                    event.affiliateID, event.createdAt, receivedAt,
                ])
                ids.append(db.lastInsertedRowID)
            }
        }
        let receipts = plan.receipts(forInsertedIDs: ids, receivedAt: receivedAt)
        let insertKey = try db.cachedStatement(sql: """
            INSERT INTO idempotency_keys (client_id, key, fingerprint, event_ids, received_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for (reference, stored) in plan.keysToStore(submissions, receipts: receipts, receivedAt: receivedAt) {
            try insertKey.execute(arguments: [
                reference.clientID, reference.key, Data(stored.fingerprint), stored.eventIDList, stored.receivedAt,
                receivedAt / 1000,
            ])
        }
        return plan.outcomes(receipts: receipts)
    }

    private static func storedKeys(
        _ references: [IdempotencyKeyReference], in db: Database
    ) throws -> [IdempotencyKeyReference: StoredIdempotencyKey] {
        guard !references.isEmpty else { return [:] }
        let find = try db.cachedStatement(
            sql: "SELECT fingerprint, event_ids, received_at FROM idempotency_keys WHERE client_id = ? AND key = ?")
        var stored: [IdempotencyKeyReference: StoredIdempotencyKey] = [:]
        for reference in references {
            guard let row = try Row.fetchOne(find, arguments: [reference.clientID, reference.key]) else { continue }
            let fingerprint: Data = row["fingerprint"]
            stored[reference] = try StoredIdempotencyKey(
                fingerprint: Array(fingerprint), eventIDList: row["event_ids"], receivedAt: row["received_at"])
        }
        return stored
    }
}
