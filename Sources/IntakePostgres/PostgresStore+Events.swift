import IntakeCore
import IntakeModel
import Logging
import NIOCore
import PostgresNIO

extension PostgresStore: EventStore {
    package func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome {
        try await eventWriter.submit(submission)
    }

    package func eventPage(_ query: EventPageQuery) async throws -> EventRecordPage {
        try await bounded { client, logger in try await Self.eventPage(query, client: client, logger: logger) }
    }

    private static func eventPage(_ query: EventPageQuery, client: PostgresClient, logger: Logger) async throws -> EventRecordPage {
        var page = EventRecordPageBuilder(query)
        // Not a prepared statement, unlike the write path: PostgreSQL plans this one with the filters'
        // values, so a filter can use its index; a generic plan for the optional filters could not.
        let rows = try await client.query(
            """
            SELECT id, account, client_id, event_type, event_name, source_id, fields, event_id, person_id, ga_client_id,
                   affiliate_id, created_at, received_at
            FROM events
            WHERE (\(query.account)::text IS NULL OR account = \(query.account)) AND id > \(query.after ?? 0)
              AND (\(query.sourceID)::text IS NULL OR source_id = \(query.sourceID))
              AND (\(query.eventType?.rawValue)::text IS NULL OR event_type = \(query.eventType?.rawValue))
              AND created_at >= \(query.since ?? Int64.min) AND created_at < \(query.until ?? Int64.max)
            ORDER BY id
            LIMIT \(page.rowLimit)
            """, logger: logger)
        // Rows stream in with backpressure; leaving the loop early discards the rest.
        for try await row in rows.decode(
            (Int64, String, String, String, String, String, String, String?, String?, String?, String?, Int64, Int64).self)
        {
            let added = try page.add(fieldsJSON: row.6) {
                try EventRecord(
                    id: row.0, receivedAt: row.12, account: row.1, clientID: row.2, eventType: row.3, eventName: row.4,
                    sourceID: row.5, fieldsJSON: row.6, eventID: row.7, personID: row.8, gaClientID: row.9, affiliateID: row.10,
                    createdAt: row.11)
            }
            if !added { break }
        }
        return page.page
    }

    package func purgeIdempotencyKeys(olderThan cutoff: Int64) async throws {
        try await bounded { client, logger in
            try await client.query("DELETE FROM idempotency_keys WHERE created_at < \(cutoff)", logger: logger)
        }
    }

    package func deleteEvents(receivedBefore cutoff: Int64, limit: Int) async throws -> Int {
        try await bounded { client, logger in
            let rows = try await client.query(
                """
                WITH head AS (SELECT id, received_at FROM events ORDER BY id LIMIT \(limit)),
                     deleted AS (DELETE FROM events WHERE id IN (SELECT id FROM head WHERE received_at < \(cutoff)) RETURNING 1)
                SELECT count(*) FROM deleted
                """, logger: logger)
            var deleted = 0
            for try await count in rows.decode(Int64.self) { deleted = Int(count) }
            return deleted
        }
    }

    /// Commits a batch of submissions in one transaction of a few round trips, whatever its size:
    /// one look-up of the idempotency keys, one multi-row insert of the events, one of the keys.
    /// An advisory lock makes event transactions of all instances commit one after another, so
    /// ids are committed in order and a reader paging with `after` never skips an event.
    static func commit(
        _ submissions: [EventSubmission], client: PostgresClient, logger: Logger
    ) async throws -> [EventSubmission.Outcome] {
        let references = IdempotencyPlan.references(submissions)
        if references.isEmpty {
            // Nothing to look up or remember: lock, insert and commit in one statement, one round trip.
            let plan = IdempotencyPlan(submissions, stored: [:])
            let receivedAt = UnixTime.nowMilliseconds()
            let insert = EventStatements.InsertEvents(submissions, receivedAt: receivedAt, lock: eventWriteLock)
            let ids = try await insertedIDs(insert) { try await client.execute($0, logger: logger) }
            return plan.outcomes(receipts: plan.receipts(forInsertedIDs: ids, receivedAt: receivedAt))
        }
        return try await client.withTransaction(logger: logger) { connection in
            try await perform(EventStatements.LockWrites(lock: eventWriteLock), on: connection, logger: logger)
            let plan = IdempotencyPlan(
                submissions, stored: try await storedKeys(references, connection: connection, logger: logger))
            let receivedAt = UnixTime.nowMilliseconds()
            let fresh = plan.freshIndices.map { submissions[$0] }
            let insert = EventStatements.InsertEvents(fresh, receivedAt: receivedAt, lock: nil)
            let ids = try await insertedIDs(insert) { try await connection.execute($0, logger: logger) }
            let receipts = plan.receipts(forInsertedIDs: ids, receivedAt: receivedAt)
            let keys = plan.keysToStore(submissions, receipts: receipts, receivedAt: receivedAt)
            if !keys.isEmpty {
                try await perform(EventStatements.InsertKeys(keys, createdAt: receivedAt / 1000), on: connection, logger: logger)
            }
            return plan.outcomes(receipts: receipts)
        }
    }

    private static func storedKeys(
        _ references: [IdempotencyKeyReference], connection: PostgresConnection, logger: Logger
    ) async throws -> [IdempotencyKeyReference: StoredIdempotencyKey] {
        let rows = try await connection.execute(
            EventStatements.FindKeys(clientIDs: references.map(\.clientID), keys: references.map(\.key)), logger: logger)
        var stored: [IdempotencyKeyReference: StoredIdempotencyKey] = [:]
        for try await (clientID, key, fingerprint, eventIDs, receivedAt) in rows {
            stored[IdempotencyKeyReference(clientID: clientID, key: key)] = try StoredIdempotencyKey(
                fingerprint: Array(fingerprint.readableBytesView), eventIDList: eventIDs, receivedAt: receivedAt)
        }
        return stored
    }

    /// Runs a statement whose rows do not matter. They are read all the same: postgres-nio wants a
    /// result consumed before the connection runs the next statement.
    private static func perform<Statement: PostgresPreparedStatement>(
        _ statement: Statement, on connection: PostgresConnection, logger: Logger
    ) async throws {
        for try await _ in try await connection.execute(statement, logger: logger) {}
    }

    /// Runs `insert` unless it has no rows; returns the new ids in insertion order.
    private static func insertedIDs<Rows: AsyncSequence>(
        _ insert: EventStatements.InsertEvents, run: (EventStatements.InsertEvents) async throws -> Rows
    ) async throws -> [Int64] where Rows.Element == Int64 {
        guard !insert.isEmpty else { return [] }
        var ids: [Int64] = []
        for try await id in try await run(insert) { ids.append(id) }
        // Serial values are drawn in insertion order, which follows `position`.
        return ids.sorted()
    }
}
