import Foundation
import GRDB
import IntakeCore
import IntakeModel

extension SQLiteStore: EventStore {
    package func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome {
        try await eventWriter.submit(submission)
    }

    package func eventPage(_ query: EventPageQuery) async throws -> EventRecordPage {
        try await pool.read { db in try Self.eventPage(query, in: db) }
    }

    /// One page of `query`. Every filter present gets the index that serves it (see ``EventPageSQL``),
    /// so a read that matches little costs little, whatever the size of the account.
    ///
    /// A time range alone has no index in id order: `events_by_creation` finds its rows in
    /// `created_at` order, and `ORDER BY id LIMIT n` through it means sorting every match. So the
    /// matches are first counted there, no further than ``TimeRangeBudget/creationMatches``. Fewer,
    /// and all of them are sorted, ids only, within the index: a range that matches nothing costs
    /// one index probe. More, and the page is read in id order through the account's index, where
    /// matches lie close together when `created_at` follows arrival, as it mostly does; but only
    /// through the next ``TimeRangeBudget/idWindow`` rows of the account. A page not found there
    /// may be far away in id order (the events since yesterday come after all the older ones; the
    /// last of an `until` range are followed by all the newer ones), so the rest of it comes sorted
    /// from `events_by_creation` after all, ids past the window only. A read thus costs at most the
    /// window and an index-only pass over its range, however long the account's history around it.
    static func eventPage(
        _ query: EventPageQuery, in db: Database, budget: TimeRangeBudget = TimeRangeBudget()
    ) throws -> EventRecordPage {
        var page = EventRecordPageBuilder(query)
        let after = query.after?.id ?? 0
        guard let account = query.account, query.sourceID == nil, query.eventType == nil,
            query.since != nil || query.until != nil
        else {
            try read(EventPageSQL.inIDOrder(query, after: after, rowLimit: page.rowLimit), into: &page, db)
            return page.page
        }
        let count = EventPageSQL.creationMatches(query, account: account, cap: budget.creationMatches)
        let matches = try Int.fetchOne(db.cachedStatement(sql: count.sql), arguments: count.arguments) ?? 0
        if matches < budget.creationMatches {
            try read(EventPageSQL.byCreation(query, account: account, after: after, rowLimit: page.rowLimit), into: &page, db)
            return page.page
        }
        let end = EventPageSQL.idWindowEnd(account: account, after: after, rows: budget.idWindow)
        let windowEnd = try Int64.fetchOne(db.cachedStatement(sql: end.sql), arguments: end.arguments)
        let complete = try read(
            EventPageSQL.inIDOrder(query, after: after, through: windowEnd, rowLimit: page.rowLimit), into: &page, db)
        if !complete, let windowEnd {
            try read(EventPageSQL.byCreation(query, account: account, after: windowEnd, rowLimit: page.rowLimit), into: &page, db)
        }
        return page.page
    }

    /// Adds the rows `statement` finds to `page`; true once the page is complete (it turned a row away).
    @discardableResult
    private static func read(
        _ statement: EventPageSQL.Statement, into page: inout EventRecordPageBuilder, _ db: Database
    ) throws -> Bool {
        // A cursor, not fetchAll: rows are decoded one at a time and reading stops with the page.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: statement.sql), arguments: statement.arguments)
        while let row = try rows.next() {
            let fields: String = row["fields"]
            let added = try page.add(fieldsJSON: fields) {
                try EventRecord(
                    id: row["id"], receivedAt: row["received_at"], account: row["account"], clientID: row["client_id"],
                    eventType: row["event_type"], eventName: row["event_name"], sourceID: row["source_id"],
                    fieldsJSON: fields, eventID: row["event_id"], personID: row["person_id"],
                    gaClientID: row["ga_client_id"], affiliateID: row["affiliate_id"], createdAt: row["created_at"])
            }
            if !added { return true }
        }
        return false
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
