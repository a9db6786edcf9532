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
                var ids = try await insertEvents(submissions, receivedAt: receivedAt, lockFirst: true) {
                    try await client.query($0, logger: logger)
                }.makeIterator()
                return submissions.map { submission in
                    let receipts = submission.events.compactMap { _ in
                        ids.next().map { EventReceipt(id: $0, receivedAt: receivedAt) }
                    }
                    return .success(.stored(submission.respond(receipts)))
                }
            }
            let outcomes = try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(eventWriteLock))", logger: logger)
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
                var ids = try await insertEvents(fresh.map { submissions[$0] }, receivedAt: receivedAt, lockFirst: false) {
                    try await connection.query($0, logger: logger)
                }.makeIterator()
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
                try await insertKeys(
                    fresh.compactMap { index in
                        submissions[index].idempotencyKey.map { (submissions[index].clientID, $0, responses[index]!) }
                    }, createdAt: receivedAt / 1000, connection: connection, logger: logger)
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
        let clientIDs = keyed.map(\.clientID)
        let keys = keyed.compactMap { $0.idempotencyKey?.key }
        let rows = try await connection.query(
            """
            SELECT client_id, key, fingerprint, status, body FROM idempotency_keys
            WHERE (client_id, key) IN (SELECT * FROM UNNEST(\(clientIDs)::text[], \(keys)::text[]))
            """, logger: logger)
        var stored: [KeyReference: ([UInt8], ResponseRecord)] = [:]
        for try await (clientID, key, fingerprint, status, body) in rows.decode((String, String, ByteBuffer, Int32, ByteBuffer).self) {
            stored[KeyReference(clientID: clientID, key: key)] = (
                Array(fingerprint.readableBytesView),
                ResponseRecord(status: Int(status), body: Array(body.readableBytesView))
            )
        }
        return stored
    }

    /// Inserts every event of `submissions` in one statement; returns their ids in order.
    /// Optional text columns travel as empty strings (never valid values) and become NULL. With
    /// `lockFirst`, the statement takes the event-write lock before drawing any id (the sort has to
    /// read the locking CTE before rows reach the insert), for use outside an explicit transaction.
    private static func insertEvents(
        _ submissions: [EventSubmission], receivedAt: Int64, lockFirst: Bool,
        run: (PostgresQuery) async throws -> PostgresRowSequence
    ) async throws -> [Int64] {
        var accounts: [String] = [], clientIDs: [String] = [], types: [String] = [], names: [String] = []
        var sources: [String] = [], fields: [String] = [], eventIDs: [String] = [], personIDs: [String] = []
        var gaClientIDs: [String] = [], affiliateIDs: [String] = [], createdAts: [Int64] = []
        for submission in submissions {
            for event in submission.events {
                accounts.append(submission.account)
                clientIDs.append(submission.clientID)
                types.append(event.eventType.rawValue)
                names.append(event.eventName)
                sources.append(event.sourceID)
                fields.append(JSONValue.object(event.fields).jsonText)
                eventIDs.append(event.eventID ?? "")
                personIDs.append(event.personID ?? "")
                gaClientIDs.append(event.gaClientID ?? "")
                affiliateIDs.append(event.affiliateID ?? "")
                createdAts.append(event.createdAt)
            }
        }
        guard !accounts.isEmpty else { return [] }
        let lock: Int64? = lockFirst ? eventWriteLock : nil
        let rows = try await run(
            """
            WITH serialized AS MATERIALIZED (SELECT \(lock)::bigint IS NULL OR pg_advisory_xact_lock(\(lock)) IS NULL AS ok)
            INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, event_id, person_id,
                                ga_client_id, affiliate_id, created_at, received_at)
            SELECT a, c, t, n, s, f, NULLIF(e, ''), NULLIF(p, ''), NULLIF(g, ''), NULLIF(af, ''), ca, \(receivedAt)
            FROM UNNEST(\(accounts)::text[], \(clientIDs)::text[], \(types)::text[], \(names)::text[], \(sources)::text[],
                        \(fields)::text[], \(eventIDs)::text[], \(personIDs)::text[], \(gaClientIDs)::text[],
                        \(affiliateIDs)::text[], \(createdAts)::bigint[])
                 WITH ORDINALITY AS input(a, c, t, n, s, f, e, p, g, af, ca, position), serialized
            ORDER BY position
            RETURNING id
            """)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        // Serial values are drawn in insertion order, which follows `position`.
        return ids.sorted()
    }

    private static func insertKeys(
        _ keys: [(clientID: String, key: IdempotencyKey, response: ResponseRecord)], createdAt: Int64,
        connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !keys.isEmpty else { return }
        // One row per key: the fingerprint and body travel as hex, as arrays of bytea are awkward to bind.
        let clientIDs = keys.map(\.clientID)
        let names = keys.map(\.key.key)
        let fingerprints = keys.map { hex($0.key.fingerprint) }
        let statuses = keys.map { Int32($0.response.status) }
        let bodies = keys.map { hex($0.response.body) }
        try await connection.query(
            """
            INSERT INTO idempotency_keys (client_id, key, fingerprint, status, body, created_at)
            SELECT c, k, decode(f, 'hex'), s, decode(b, 'hex'), \(createdAt)
            FROM UNNEST(\(clientIDs)::text[], \(names)::text[], \(fingerprints)::text[], \(statuses)::int[], \(bodies)::text[])
                 AS input(c, k, f, s, b)
            """, logger: logger)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
