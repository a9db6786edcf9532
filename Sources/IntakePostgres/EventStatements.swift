import IntakeCore
import IntakeModel
import NIOCore
import PostgresNIO

/// The prepared statement of the event write path. Each connection of the pool prepares it the
/// first time it runs it (postgres-nio keeps it by name); later runs skip PostgreSQL's parse and
/// plan, which a batch commit would otherwise pay every time.
///
/// The statement first takes ``PostgresStore/eventWriterLock`` shared (a materialized CTE that
/// every inserted row is joined with, so it is held before the transaction writes anything and
/// gets its id): writers never wait for one another, and a reader can list the transactions
/// still writing (see `PostgresStore.eventPage`).
enum EventStatements {
    /// The events of submissions as parallel arrays, one element per event, in order, each with
    /// the 1-based index of its submission (`owners`). Optional text columns travel as empty
    /// strings (never valid values) and become NULL.
    struct EventColumns: Sendable {
        var owners: [Int32] = []
        var accounts: [String] = [], clientIDs: [String] = [], types: [String] = [], names: [String] = []
        var sources: [String] = [], fields: [String] = [], eventIDs: [String] = [], personIDs: [String] = []
        var gaClientIDs: [String] = [], affiliateIDs: [String] = [], createdAts: [Int64] = []

        init(_ submissions: [EventSubmission]) {
            for (index, submission) in submissions.enumerated() {
                for event in submission.events {
                    owners.append(Int32(index + 1))
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
            bindings.append(owners)
            for column in [accounts, clientIDs, types, names, sources, fields, eventIDs, personIDs, gaClientIDs, affiliateIDs] {
                bindings.append(column)
            }
            bindings.append(createdAts)
        }
    }

    /// Inserts the events of submissions, with ids drawn from the sequence in the events' order,
    /// and the idempotency key of each submission that brings one, with the fingerprint of its
    /// request and the ids of its events: one statement, so all or nothing, and one round trip
    /// for a batch of any size. Returns the ids in the events' order.
    ///
    /// A key that is stored already — a replay, a reuse, or another instance's commit of the same
    /// key just now — fails the statement with a unique violation (`23505`), storing nothing.
    /// No key is looked up first: a replay is the exception, and the unique index finds a stored
    /// key without any plan. (A prepared look-up planned while the table was small gets a
    /// sequential scan as its generic plan, seen with `EXPLAIN`, and reads the whole table on
    /// every batch until the table is analyzed again.)
    struct InsertEvents: PostgresPreparedStatement {
        static let sql = """
            WITH writing AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared($19) IS NULL AS ok),
            drawn AS MATERIALIZED (
                SELECT nextval('events_id_seq') AS id, owner, a, c, t, n, s, f, e, p, g, af, ca, position
                FROM (SELECT u.* FROM UNNEST($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                             $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[])
                                      WITH ORDINALITY AS u(owner, a, c, t, n, s, f, e, p, g, af, ca, position), writing
                      ORDER BY u.position) AS input
            ),
            keys AS (
                INSERT INTO idempotency_keys (client_id, key, fingerprint, event_ids, received_at, created_at)
                SELECT kc, kk, kf,
                       COALESCE((SELECT string_agg(drawn.id::text, ',' ORDER BY drawn.position) FROM drawn
                                 WHERE drawn.owner = k.owner), ''),
                       $1, $2
                FROM UNNEST($15::int[], $16::text[], $17::text[], $18::bytea[]) AS k(owner, kc, kk, kf), writing
            ),
            inserted AS (
                INSERT INTO events (id, account, client_id, event_type, event_name, source_id, fields, event_id, person_id,
                                    ga_client_id, affiliate_id, created_at, received_at)
                SELECT id, a, c, t, n, s, f, NULLIF(e, ''), NULLIF(p, ''), NULLIF(g, ''), NULLIF(af, ''), ca, $1 FROM drawn
            )
            SELECT id FROM drawn ORDER BY position
            """
        typealias Row = Int64

        var receivedAt: Int64
        var columns: EventColumns
        var keyOwners: [Int32] = [], keyClientIDs: [String] = [], keys: [String] = [], fingerprints: [ByteBuffer] = []

        init(_ submissions: [EventSubmission], receivedAt: Int64) {
            self.receivedAt = receivedAt
            self.columns = EventColumns(submissions)
            let keyed = submissions.enumerated().compactMap { index, submission in
                submission.idempotencyKey.map { (owner: Int32(index + 1), clientID: submission.clientID, key: $0) }
            }
            // In one order for every batch: two batches inserting the same keys in opposite orders
            // would deadlock.
            for entry in keyed.sorted(by: { ($0.clientID, $0.key.key) < ($1.clientID, $1.key.key) }) {
                keyOwners.append(entry.owner)
                keyClientIDs.append(entry.clientID)
                keys.append(entry.key.key)
                fingerprints.append(ByteBuffer(bytes: entry.key.fingerprint))
            }
        }

        var isEmpty: Bool { columns.isEmpty && keys.isEmpty }

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 19)
            bindings.append(receivedAt)
            bindings.append(receivedAt / 1000)
            columns.append(to: &bindings)
            bindings.append(keyOwners)
            bindings.append(keyClientIDs)
            bindings.append(keys)
            bindings.append(fingerprints)
            bindings.append(PostgresStore.eventWriterLock)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }
}
