import IntakeCore
import IntakeModel
import Logging
import NIOCore
import PostgresNIO

extension PostgresStore: EventStore {
    package func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome {
        try await eventWriter.submit(PendingSubmission(submission: submission, deadline: .now + Self.commitTimeout))
    }

    package func eventPage(_ query: EventPageQuery) async throws -> EventRecordPage {
        try await bounded { client, logger in try await Self.eventPage(query, client: client, logger: logger) }
    }

    /// Pages follow commit order, (txid, id), and cover only transactions below a bound: the
    /// oldest transaction still writing events, or, if none is, the next transaction id. Every
    /// event of a transaction below it is committed (or never will be), and any event that
    /// commits later has a transaction at or past it, so it comes after the cursor and no reader
    /// skips it. The bound is read first, in a statement of its own, because the page's snapshot
    /// must be taken after it. Only event writers of this database hold it back, not a long
    /// transaction elsewhere in the cluster.
    private static func eventPage(_ query: EventPageQuery, client: PostgresClient, logger: Logger) async throws -> EventRecordPage {
        var page = EventRecordPageBuilder(query)
        let after = try await commitPosition(of: query.after, client: client, logger: logger)
        let bound = try await settledBound(client: client, logger: logger)
        // Not a prepared statement, unlike the write path: PostgreSQL plans this one with the filters'
        // values, so a filter can use its index; a generic plan for the optional filters could not.
        let rows = try await client.query(
            """
            SELECT id, account, client_id, event_type, event_name, source_id, fields, event_id, person_id, ga_client_id,
                   affiliate_id, created_at, received_at, txid::text::int8
            FROM events
            WHERE (\(query.account)::text IS NULL OR account = \(query.account))
              AND (txid, id) > (\(after.transaction)::int8::text::xid8, \(after.id))
              AND txid < \(bound)::int8::text::xid8
              AND (\(query.sourceID)::text IS NULL OR source_id = \(query.sourceID))
              AND (\(query.eventType?.rawValue)::text IS NULL OR event_type = \(query.eventType?.rawValue))
              AND created_at >= \(query.since ?? Int64.min) AND created_at < \(query.until ?? Int64.max)
            ORDER BY txid, id
            LIMIT \(page.rowLimit)
            """, logger: logger)
        // Rows stream in with backpressure; leaving the loop early discards the rest.
        for try await row in rows.decode(
            (Int64, String, String, String, String, String, String, String?, String?, String?, String?, Int64, Int64, Int64).self)
        {
            let added = try page.add(fieldsJSON: row.6) {
                try EventRecord(
                    id: row.0, receivedAt: row.12, account: row.1, clientID: row.2, eventType: row.3, eventName: row.4,
                    sourceID: row.5, fieldsJSON: row.6, eventID: row.7, personID: row.8, gaClientID: row.9, affiliateID: row.10,
                    createdAt: row.11, transaction: row.13)
            }
            if !added { break }
        }
        return page.page
    }

    /// The transaction id below which every transaction has finished writing events: the lowest
    /// of the transactions holding ``eventWriterLock`` in this database (a writer takes it before
    /// it writes, and so before it has an id), and the snapshot's `xmax`. The statement's snapshot
    /// is taken before the lock table is read, so a writer that got its id after it has an id at
    /// or past `xmax`. A writer's id is read from `pg_stat_activity` (set the moment the id is
    /// handed out) and from its own transaction lock (taken just after), whichever shows it.
    private static func settledBound(client: PostgresClient, logger: Logger) async throws -> Int64 {
        let rows = try await client.query(
            """
            SELECT pg_snapshot_xmax(pg_current_snapshot())::text::int8,
                   ARRAY(SELECT xid::text::int8 FROM (
                             SELECT activity.backend_xid AS xid
                             FROM pg_locks writer JOIN pg_stat_activity activity ON activity.pid = writer.pid
                             WHERE \(unescaped: Self.writerLockCondition)
                             UNION ALL
                             SELECT own.transactionid
                             FROM pg_locks writer JOIN pg_locks own ON own.pid = writer.pid
                             WHERE \(unescaped: Self.writerLockCondition)
                               AND own.locktype = 'transactionid' AND own.mode = 'ExclusiveLock' AND own.granted
                         ) writers WHERE xid IS NOT NULL)
            """, logger: logger)
        for try await (xmax, writing) in rows.decode((Int64, [Int64]).self) {
            return writing.map { widened($0, near: xmax) }.reduce(xmax, min)
        }
        return 0
    }

    /// `writer` is a granted hold of ``eventWriterLock`` in this database (a bigint advisory key
    /// shows as its high and low halves, with `objsubid` 1). Constants only.
    private static let writerLockCondition = """
        writer.locktype = 'advisory' AND writer.classid = \(eventWriterLock >> 32) AND writer.objid = \(eventWriterLock & 0xFFFF_FFFF)
          AND writer.objsubid = 1 AND writer.granted
          AND writer.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """

    /// A 32-bit transaction id (as `pg_locks` and `pg_stat_activity` give them) as the 64-bit one
    /// nearest to `reference`: ids in use are within 2^31 of each other.
    package static func widened(_ xid: Int64, near reference: Int64) -> Int64 {
        let distance = Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: xid) &- UInt32(truncatingIfNeeded: reference))
        return reference + Int64(distance)
    }

    /// The (transaction, id) to page after. A bare id (a cursor from before schema version 5,
    /// or an export's position given by hand) goes on from that event's transaction, or, when
    /// the event is gone, from the transaction of the nearest event before it.
    private static func commitPosition(
        of cursor: EventCursor?, client: PostgresClient, logger: Logger
    ) async throws -> (transaction: Int64, id: Int64) {
        guard let cursor else { return (0, 0) }
        if let transaction = cursor.transaction { return (transaction, cursor.id) }
        let rows = try await client.query(
            "SELECT txid::text::int8 FROM events WHERE id <= \(cursor.id) ORDER BY id DESC LIMIT 1", logger: logger)
        for try await transaction in rows.decode(Int64.self) { return (transaction, cursor.id) }
        return (0, cursor.id)
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

    /// Commits a batch of submissions in one round trip, whatever its size and whether or not
    /// they carry idempotency keys, without a lock shared with other instances: one statement
    /// inserts the events and the keys (see ``EventStatements/InsertEvents``).
    ///
    /// It is planned as if no key were stored yet. If one is — a replay, a key reused with another
    /// request, or one that another instance stored in between — the statement fails on the key's
    /// primary key and stores nothing; the keys are then looked up and the batch planned again
    /// with them (``IdempotencyPlan``), in two more round trips.
    static func commit(
        _ submissions: [EventSubmission], client: PostgresClient, logger: Logger
    ) async throws -> [EventSubmission.Outcome] {
        let receivedAt = UnixTime.nowMilliseconds()
        do {
            return try await insert(submissions, stored: [:], receivedAt: receivedAt, client: client, logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            let stored = try await storedKeys(IdempotencyPlan.references(submissions), client: client, logger: logger)
            return try await insert(submissions, stored: stored, receivedAt: receivedAt, client: client, logger: logger)
        }
    }

    private static func insert(
        _ submissions: [EventSubmission], stored: [IdempotencyKeyReference: StoredIdempotencyKey], receivedAt: Int64,
        client: PostgresClient, logger: Logger
    ) async throws -> [EventSubmission.Outcome] {
        let plan = IdempotencyPlan(submissions, stored: stored)
        let insert = EventStatements.InsertEvents(plan.freshIndices.map { submissions[$0] }, receivedAt: receivedAt)
        var ids: [Int64] = []
        if !insert.isEmpty {
            for try await id in try await client.execute(insert, logger: logger) { ids.append(id) }
        }
        return plan.outcomes(receipts: plan.receipts(forInsertedIDs: ids, receivedAt: receivedAt))
    }

    /// The stored keys among `references`, with their request's fingerprint and receipts. Not a
    /// prepared statement: planned each time with the table as it is now, it finds the keys by
    /// their index however small the table was when a connection first ran it.
    private static func storedKeys(
        _ references: [IdempotencyKeyReference], client: PostgresClient, logger: Logger
    ) async throws -> [IdempotencyKeyReference: StoredIdempotencyKey] {
        let rows = try await client.query(
            """
            SELECT k.client_id, k.key, k.fingerprint, k.event_ids, k.received_at
            FROM UNNEST(\(references.map(\.clientID))::text[], \(references.map(\.key))::text[]) AS wanted(client_id, key)
                 JOIN idempotency_keys k ON k.client_id = wanted.client_id AND k.key = wanted.key
            """, logger: logger)
        var stored: [IdempotencyKeyReference: StoredIdempotencyKey] = [:]
        for try await (clientID, key, fingerprint, eventIDs, keyReceivedAt) in rows.decode((String, String, ByteBuffer, String, Int64).self) {
            stored[IdempotencyKeyReference(clientID: clientID, key: key)] = try StoredIdempotencyKey(
                fingerprint: Array(fingerprint.readableBytesView), eventIDList: eventIDs, receivedAt: keyReceivedAt)
        }
        return stored
    }
}
