import IntakeCore
import IntakeModel
import Logging
import NIOCore
import PostgresNIO

extension PostgresStore: EventStore {
    public func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome {
        try await eventWriter.submit(submission)
    }

    public func events(_ query: EventQuery) async throws -> [StoredEvent] {
        let limit = min(max(query.limit, 1), EventQuery.maximumLimit + 1)
        // Not a prepared statement, unlike the write path: PostgreSQL plans this one with the filters'
        // values, so a source filter can use `events_by_source`; a generic plan for the optional
        // filters could not.
        let rows = try await client.query(
            """
            SELECT id, client_id, event_type, event_name, source_id, fields, event_id, person_id, ga_client_id,
                   affiliate_id, created_at, received_at
            FROM events
            WHERE account = \(query.account) AND id > \(query.after ?? 0)
              AND (\(query.sourceID)::text IS NULL OR source_id = \(query.sourceID))
              AND (\(query.eventType?.rawValue)::text IS NULL OR event_type = \(query.eventType?.rawValue))
              AND created_at >= \(query.since ?? Int64.min) AND created_at < \(query.until ?? Int64.max)
            ORDER BY id
            LIMIT \(limit)
            """, logger: logger)
        var events: [StoredEvent] = []
        for try await row in rows.decode(
            (Int64, String, String, String, String, String, String?, String?, String?, String?, Int64, Int64).self)
        {
            guard case .object(let fields) = try JSONValue(parsing: row.5.utf8) else { continue }
            events.append(StoredEvent(
                receipt: EventReceipt(id: row.0, receivedAt: row.11), clientID: row.1,
                event: EventInput(
                    eventType: EventType(rawValue: row.2) ?? .action, eventName: row.3, sourceID: row.4, fields: fields,
                    eventID: row.6, personID: row.7, gaClientID: row.8, affiliateID: row.9, createdAt: row.10)))
        }
        return events
    }

    public func purgeIdempotencyKeys(olderThan cutoff: Int64) async throws {
        try await client.query("DELETE FROM idempotency_keys WHERE created_at < \(cutoff)", logger: logger)
    }

    private struct KeyReference: Hashable {
        var clientID: String
        var key: String
    }

    /// Commits a batch of submissions in one transaction of a few round trips, whatever its size:
    /// one look-up of the idempotency keys, one multi-row insert of the events, one of the keys.
    /// An advisory lock makes event transactions of all instances commit one after another, so
    /// ids are committed in order and a reader paging with `after` never skips an event.
    static func commit(
        _ submissions: [EventSubmission], client: PostgresClient, logger: Logger
    ) async -> [Result<EventSubmission.Outcome, any Error>] {
        do {
            if submissions.allSatisfy({ $0.idempotencyKey == nil }) {
                // Nothing to look up or remember: lock, insert and commit in one statement, one round trip.
                let receivedAt = UnixTime.nowMilliseconds()
                let insert = EventStatements.InsertEvents(submissions, receivedAt: receivedAt, lock: eventWriteLock)
                var ids = try await insertedIDs(insert) { try await client.execute($0, logger: logger) }.makeIterator()
                return submissions.map { submission in
                    let receipts = submission.events.compactMap { _ in
                        ids.next().map { EventReceipt(id: $0, receivedAt: receivedAt) }
                    }
                    return .success(.stored(submission.respond(receipts)))
                }
            }
            let outcomes = try await client.withTransaction(logger: logger) { connection in
                try await perform(EventStatements.LockWrites(lock: eventWriteLock), on: connection, logger: logger)
                let stored = try await storedResponses(for: submissions, connection: connection, logger: logger)
                var outcomes = [EventSubmission.Outcome?](repeating: nil, count: submissions.count)
                var firstNew: [KeyReference: Int] = [:]
                var replayOf: [Int: Int] = [:]
                var fresh: [Int] = []
                for (index, submission) in submissions.enumerated() {
                    if let key = submission.idempotencyKey {
                        let reference = KeyReference(clientID: submission.clientID, key: key.key)
                        if let (fingerprint, response) = stored[reference] {
                            outcomes[index] = fingerprint == key.fingerprint ? .replayed(response) : .keyReused
                            continue
                        }
                        if let first = firstNew[reference] {
                            if submissions[first].idempotencyKey?.fingerprint == key.fingerprint {
                                replayOf[index] = first
                            } else {
                                outcomes[index] = .keyReused
                            }
                            continue
                        }
                        firstNew[reference] = index
                    }
                    fresh.append(index)
                }
                let receivedAt = UnixTime.nowMilliseconds()
                let insert = EventStatements.InsertEvents(fresh.map { submissions[$0] }, receivedAt: receivedAt, lock: nil)
                var ids = try await insertedIDs(insert) { try await connection.execute($0, logger: logger) }.makeIterator()
                var responses: [Int: ResponseRecord] = [:]
                for index in fresh {
                    let receipts = submissions[index].events.compactMap { _ in
                        ids.next().map { EventReceipt(id: $0, receivedAt: receivedAt) }
                    }
                    let response = submissions[index].respond(receipts)
                    responses[index] = response
                    outcomes[index] = .stored(response)
                }
                for (index, first) in replayOf {
                    outcomes[index] = responses[first].map { .replayed($0) } ?? .keyReused
                }
                let keys = fresh.compactMap { index in
                    submissions[index].idempotencyKey.map { (submissions[index].clientID, $0, responses[index]!) }
                }
                if !keys.isEmpty {
                    try await perform(EventStatements.InsertKeys(keys, createdAt: receivedAt / 1000), on: connection, logger: logger)
                }
                return outcomes.map { $0 ?? .keyReused }
            }
            return outcomes.map { .success($0) }
        } catch {
            return submissions.map { _ in .failure(error) }
        }
    }

    private static func storedResponses(
        for submissions: [EventSubmission], connection: PostgresConnection, logger: Logger
    ) async throws -> [KeyReference: ([UInt8], ResponseRecord)] {
        let keyed = submissions.filter { $0.idempotencyKey != nil }
        guard !keyed.isEmpty else { return [:] }
        let rows = try await connection.execute(
            EventStatements.FindKeys(clientIDs: keyed.map(\.clientID), keys: keyed.compactMap { $0.idempotencyKey?.key }),
            logger: logger)
        var stored: [KeyReference: ([UInt8], ResponseRecord)] = [:]
        for try await (clientID, key, fingerprint, status, body) in rows {
            stored[KeyReference(clientID: clientID, key: key)] = (
                Array(fingerprint.readableBytesView),
                ResponseRecord(status: Int(status), body: Array(body.readableBytesView))
            )
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
