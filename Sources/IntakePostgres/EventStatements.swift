import IntakeCore
import IntakeModel
import NIOCore
import PostgresNIO

/// The prepared statements of the event write path. Each connection of the pool prepares a
/// statement the first time it runs it (postgres-nio keeps them by name); later runs skip
/// PostgreSQL's parse and plan, which a batch commit would otherwise pay every time.
///
/// Every statement that writes events or keys first takes ``PostgresStore/eventWriterLock``
/// shared (a materialized CTE that every inserted row is joined with, so it is held before the
/// transaction writes anything and gets its id): writers never wait for one another, and a
/// reader can list the transactions still writing (see `PostgresStore.eventPage`).
enum EventStatements {
    /// The events of submissions as parallel arrays, one element per event, in order. Optional
    /// text columns travel as empty strings (never valid values) and become NULL.
    struct EventColumns: Sendable {
        var accounts: [String] = [], clientIDs: [String] = [], types: [String] = [], names: [String] = []
        var sources: [String] = [], fields: [String] = [], eventIDs: [String] = [], personIDs: [String] = []
        var gaClientIDs: [String] = [], affiliateIDs: [String] = [], createdAts: [Int64] = []

        init(_ submissions: [EventSubmission]) {
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

        func append(to bindings: inout PostgresBindings) {
            for column in [accounts, clientIDs, types, names, sources, fields, eventIDs, personIDs, gaClientIDs, affiliateIDs] {
                bindings.append(column)
            }
            bindings.append(createdAts)
        }
    }

    /// Inserts events (ids from the sequence) and returns their ids in insertion order.
    struct InsertEvents: PostgresPreparedStatement {
        static let sql = """
            WITH writing AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared($13) IS NULL AS ok)
            INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, event_id, person_id,
                                ga_client_id, affiliate_id, created_at, received_at)
            SELECT a, c, t, n, s, f, NULLIF(e, ''), NULLIF(p, ''), NULLIF(g, ''), NULLIF(af, ''), ca, $1
            FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::text[], $10::text[], $11::text[], $12::bigint[])
                 WITH ORDINALITY AS input(a, c, t, n, s, f, e, p, g, af, ca, position), writing
            ORDER BY position
            RETURNING id
            """
        typealias Row = Int64

        var receivedAt: Int64
        var columns: EventColumns

        init(_ submissions: [EventSubmission], receivedAt: Int64) {
            self.receivedAt = receivedAt
            self.columns = EventColumns(submissions)
        }

        var isEmpty: Bool { columns.isEmpty }

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 13)
            bindings.append(receivedAt)
            columns.append(to: &bindings)
            bindings.append(PostgresStore.eventWriterLock)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// Looks up the keys among (`clientIDs[i]`, `keys[i]`) already stored, with their request
    /// fingerprint and receipts, and draws `idCount` ids from the events sequence, in one round
    /// trip: one row per key found, each with the ids, or a single row of ids and NULLs.
    struct FindKeysAndDrawIDs: PostgresPreparedStatement {
        static let sql = """
            WITH drawn AS (SELECT ARRAY(SELECT nextval('events_id_seq') FROM generate_series(1, $3::int)) AS ids)
            SELECT drawn.ids, k.client_id, k.key, k.fingerprint, k.event_ids, k.received_at
            FROM drawn LEFT JOIN idempotency_keys k
                 ON (k.client_id, k.key) IN (SELECT * FROM UNNEST($1::text[], $2::text[]))
            """
        typealias Row = ([Int64], String?, String?, ByteBuffer?, String?, Int64?)

        var clientIDs: [String]
        var keys: [String]
        var idCount: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(clientIDs)
            bindings.append(keys)
            bindings.append(Int32(clamping: idCount))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Inserts events under ids drawn beforehand, and the keys of their submissions with the
    /// fingerprint of the request and the receipts, in one statement: both or neither. A key
    /// stored meanwhile by another transaction fails it with a unique violation (`23505`).
    struct InsertKeyedEvents: PostgresPreparedStatement {
        static let sql = """
            WITH writing AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared($19) IS NULL AS ok),
            keys AS (
                INSERT INTO idempotency_keys (client_id, key, fingerprint, event_ids, received_at, created_at)
                SELECT c, k, f, e, $1, $2
                FROM UNNEST($3::text[], $4::text[], $5::bytea[], $6::text[]) AS input(c, k, f, e), writing
            )
            INSERT INTO events (id, account, client_id, event_type, event_name, source_id, fields, event_id, person_id,
                                ga_client_id, affiliate_id, created_at, received_at)
            SELECT i, a, c, t, n, s, f, NULLIF(e, ''), NULLIF(p, ''), NULLIF(g, ''), NULLIF(af, ''), ca, $1
            FROM UNNEST($7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                        $14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[])
                 AS input(i, a, c, t, n, s, f, e, p, g, af, ca), writing
            """
        typealias Row = ()

        var receivedAt: Int64
        var ids: [Int64]
        var columns: EventColumns
        var keyClientIDs: [String] = [], keys: [String] = [], fingerprints: [ByteBuffer] = [], eventIDLists: [String] = []

        init(
            _ submissions: [EventSubmission], ids: [Int64], keys entries: [(reference: IdempotencyKeyReference, stored: StoredIdempotencyKey)],
            receivedAt: Int64
        ) {
            self.receivedAt = receivedAt
            self.ids = ids
            self.columns = EventColumns(submissions)
            // In one order for every batch: two batches inserting the same keys in opposite orders
            // would deadlock.
            for entry in entries.sorted(by: { ($0.reference.clientID, $0.reference.key) < ($1.reference.clientID, $1.reference.key) }) {
                keyClientIDs.append(entry.reference.clientID)
                keys.append(entry.reference.key)
                fingerprints.append(ByteBuffer(bytes: entry.stored.fingerprint))
                eventIDLists.append(entry.stored.eventIDList)
            }
        }

        var isEmpty: Bool { columns.isEmpty && keys.isEmpty }

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 19)
            bindings.append(receivedAt)
            bindings.append(receivedAt / 1000)
            bindings.append(keyClientIDs)
            bindings.append(keys)
            bindings.append(fingerprints)
            bindings.append(eventIDLists)
            bindings.append(ids)
            columns.append(to: &bindings)
            bindings.append(PostgresStore.eventWriterLock)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }
}
