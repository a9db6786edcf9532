import IntakeCore
import IntakeModel
import NIOCore
import PostgresNIO

/// The prepared statements of the event write path. Each connection of the pool prepares a
/// statement the first time it runs it (postgres-nio keeps them by name); later runs skip
/// PostgreSQL's parse and plan, which a batch commit would otherwise pay every time.
enum EventStatements {
    /// Inserts events given as parallel arrays, one row per array position, and returns their ids
    /// in insertion order. Optional text columns travel as empty strings (never valid values) and
    /// become NULL. With a `lock`, the statement takes that advisory lock before drawing any id (the
    /// sort has to read the locking CTE before rows reach the insert), so it can run on its own,
    /// outside an explicit transaction.
    struct InsertEvents: PostgresPreparedStatement {
        static let sql = """
            WITH serialized AS MATERIALIZED (SELECT $1::bigint IS NULL OR pg_advisory_xact_lock($1) IS NULL AS ok)
            INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, event_id, person_id,
                                ga_client_id, affiliate_id, created_at, received_at)
            SELECT a, c, t, n, s, f, NULLIF(e, ''), NULLIF(p, ''), NULLIF(g, ''), NULLIF(af, ''), ca, $2
            FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                        $10::text[], $11::text[], $12::text[], $13::bigint[])
                 WITH ORDINALITY AS input(a, c, t, n, s, f, e, p, g, af, ca, position), serialized
            ORDER BY position
            RETURNING id
            """
        /// Explicit, because the lock is often bound as NULL, which says nothing of its type.
        static let bindingDataTypes: [PostgresDataType] = [.int8, .int8] + Array(repeating: .textArray, count: 10) + [.int8Array]
        typealias Row = Int64

        var lock: Int64?
        var receivedAt: Int64
        var accounts: [String] = [], clientIDs: [String] = [], types: [String] = [], names: [String] = []
        var sources: [String] = [], fields: [String] = [], eventIDs: [String] = [], personIDs: [String] = []
        var gaClientIDs: [String] = [], affiliateIDs: [String] = [], createdAts: [Int64] = []

        init(_ submissions: [EventSubmission], receivedAt: Int64, lock: Int64?) {
            self.lock = lock
            self.receivedAt = receivedAt
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
        }

        var isEmpty: Bool { accounts.isEmpty }

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 13)
            bindings.append(lock)
            bindings.append(receivedAt)
            for column in [accounts, clientIDs, types, names, sources, fields, eventIDs, personIDs, gaClientIDs, affiliateIDs] {
                bindings.append(column)
            }
            bindings.append(createdAts)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// Takes the advisory lock that orders event transactions, until the transaction ends.
    struct LockWrites: PostgresPreparedStatement {
        static let sql = "SELECT pg_advisory_xact_lock($1)"
        typealias Row = ()

        var lock: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(lock)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// The keys among (`clientIDs[i]`, `keys[i]`) already stored, with their request fingerprint and answer.
    struct FindKeys: PostgresPreparedStatement {
        static let sql = """
            SELECT client_id, key, fingerprint, event_ids, received_at FROM idempotency_keys
            WHERE (client_id, key) IN (SELECT * FROM UNNEST($1::text[], $2::text[]))
            """
        typealias Row = (String, String, ByteBuffer, String, Int64)

        var clientIDs: [String]
        var keys: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(clientIDs)
            bindings.append(keys)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Remembers keys with the fingerprint of their request and the receipts of its events.
    struct InsertKeys: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO idempotency_keys (client_id, key, fingerprint, event_ids, received_at, created_at)
            SELECT c, k, f, e, r, $1
            FROM UNNEST($2::text[], $3::text[], $4::bytea[], $5::text[], $6::bigint[]) AS input(c, k, f, e, r)
            """
        typealias Row = ()

        var createdAt: Int64
        var clientIDs: [String] = [], keys: [String] = [], fingerprints: [ByteBuffer] = []
        var eventIDs: [String] = [], receivedAts: [Int64] = []

        init(_ entries: [(reference: IdempotencyKeyReference, stored: StoredIdempotencyKey)], createdAt: Int64) {
            self.createdAt = createdAt
            for entry in entries {
                clientIDs.append(entry.reference.clientID)
                keys.append(entry.reference.key)
                fingerprints.append(ByteBuffer(bytes: entry.stored.fingerprint))
                eventIDs.append(entry.stored.eventIDList)
                receivedAts.append(entry.stored.receivedAt)
            }
        }

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(createdAt)
            bindings.append(clientIDs)
            bindings.append(keys)
            bindings.append(fingerprints)
            bindings.append(eventIDs)
            bindings.append(receivedAts)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }
}
