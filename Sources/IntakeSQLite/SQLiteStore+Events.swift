import Foundation
import GRDB
import IntakeCore
import IntakeModel

extension SQLiteStore: EventStore {
    public func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome {
        try await eventWriter.submit(submission)
    }

    public func events(_ query: EventQuery) async throws -> [StoredEvent] {
        try await pool.read { db in
            let sourceID = query.sourceID
            let eventType = query.eventType?.rawValue
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM events
                    WHERE account = ? AND id > ? AND (? IS NULL OR source_id = ?) AND (? IS NULL OR event_type = ?)
                      AND created_at >= ? AND created_at < ?
                    ORDER BY id LIMIT ?
                    """,
                arguments: [
                    query.account, query.after ?? 0, sourceID, sourceID, eventType, eventType, query.since ?? Int64.min,
                    query.until ?? Int64.max, min(max(query.limit, 1), EventQuery.maximumLimit + 1),
                ])
            return try rows.map(Self.storedEvent(from:))
        }
    }

    private static func storedEvent(from row: Row) throws -> StoredEvent {
        let eventType: String = row["event_type"]
        return StoredEvent(
            receipt: EventReceipt(id: row["id"], receivedAt: row["received_at"]),
            clientID: row["client_id"],
            event: EventInput(
                eventType: EventType(rawValue: eventType) ?? .action, eventName: row["event_name"],
                sourceID: row["source_id"], fields: try fieldsObject(row["fields"]), eventID: row["event_id"],
                personID: row["person_id"], gaClientID: row["ga_client_id"], affiliateID: row["affiliate_id"],
                createdAt: row["created_at"]))
    }

    /// The stored `fields` column back as an object.
    private static func fieldsObject(_ text: String) throws -> [String: JSONValue] {
        guard case .object(let fields) = try JSONValue(parsing: text.utf8) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "events.fields is not a JSON object")
        }
        return fields
    }

    public func purgeIdempotencyKeys(olderThan cutoff: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [cutoff])
        }
    }

    /// Commits a batch of submissions in one transaction. Should one of them fail (a disk error, a
    /// constraint), the transaction is rolled back and each submission is committed on its own, so
    /// the failure stays with its request. Savepoints would give the same isolation, but they cost
    /// two statements per submission on the path every request takes.
    static func commit(_ submissions: [EventSubmission], to pool: DatabasePool) async -> [Result<EventSubmission.Outcome, any Error>] {
        do {
            return try await pool.write { db in
                let receivedAt = UnixTime.nowMilliseconds()
                return try submissions.map { .success(try store($0, receivedAt: receivedAt, in: db)) }
            }
        } catch {
            guard submissions.count > 1 else { return [.failure(error)] }
            var results: [Result<EventSubmission.Outcome, any Error>] = []
            for submission in submissions {
                results += await commit([submission], to: pool)
            }
            return results
        }
    }

    private static func store(
        _ submission: EventSubmission, receivedAt: Int64, in db: Database
    ) throws -> EventSubmission.Outcome {
        if let key = submission.idempotencyKey,
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT fingerprint, status, body FROM idempotency_keys WHERE client_id = ? AND key = ?"),
                arguments: [submission.clientID, key.key])
        {
            let fingerprint: Data = row["fingerprint"]
            guard Array(fingerprint) == key.fingerprint else { return .keyReused }
            let body: Data = row["body"]
            return .replayed(ResponseRecord(status: row["status"], body: Array(body)))
        }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, event_id, person_id,
                                ga_client_id, affiliate_id, created_at, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var receipts: [EventReceipt] = []
        receipts.reserveCapacity(submission.events.count)
        for event in submission.events {
            let fields = JSONValue.object(event.fields).jsonText
            try insert.execute(arguments: [
                submission.account, submission.clientID, event.eventType.rawValue, event.eventName, event.sourceID,
                fields, event.eventID, event.personID, event.gaClientID, event.affiliateID, event.createdAt, receivedAt,
            ])
            receipts.append(EventReceipt(id: db.lastInsertedRowID, receivedAt: receivedAt))
        }
        let response = submission.respond(receipts)
        if let key = submission.idempotencyKey {
            try db.cachedStatement(sql: """
                INSERT INTO idempotency_keys (client_id, key, fingerprint, status, body, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    submission.clientID, key.key, Data(key.fingerprint), response.status, Data(response.body),
                    receivedAt / 1000,
                ])
        }
        return .stored(response)
    }
}
