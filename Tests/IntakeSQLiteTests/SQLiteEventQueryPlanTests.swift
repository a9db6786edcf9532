import GRDB
import IntakeCore
import IntakeModel
import IntakeTestSupport
import Testing

@testable import IntakeSQLite

/// Filtered reads of `GET /v2/events` must each use the index of their filters: a filter that
/// matches nothing costs an index probe, not a walk through the account. And whichever way a page
/// is read, the pages hold exactly the account's events that pass the filters, in id order.
@Suite("SQLite event page queries")
struct SQLiteEventQueryPlanTests {
    static let t0: Int64 = 1_575_280_800_000

    /// A filter combination of `GET /v2/events` (the account and the cursor aside).
    struct Filters: Sendable, CustomStringConvertible {
        var description: String
        var sourceID: String?
        var eventType: EventType?
        var since: Int64?
        var until: Int64?

        init(_ description: String, source: String? = nil, type: EventType? = nil, since: Int64? = nil, until: Int64? = nil) {
            self.description = description
            self.sourceID = source
            self.eventType = type
            self.since = since.map { SQLiteEventQueryPlanTests.t0 + $0 * 1000 }
            self.until = until.map { SQLiteEventQueryPlanTests.t0 + $0 * 1000 }
        }

        func query(account: String?, limit: Int = 100, maximumBytes: Int = EventPageQuery.defaultMaximumBytes) -> EventPageQuery {
            EventPageQuery(
                account: account, limit: limit, sourceID: sourceID, eventType: eventType, since: since, until: until,
                maximumBytes: maximumBytes)
        }

        func matches(_ event: EventInput) -> Bool {
            (sourceID == nil || event.sourceID == sourceID) && (eventType == nil || event.eventType == eventType)
                && (since.map { event.createdAt >= $0 } ?? true) && (until.map { event.createdAt < $0 } ?? true)
        }
    }

    /// Times are seconds after `t0`; the seeded events span 0 to 300. On globex, which has no
    /// conversions, "type" matches nothing too.
    static let combinations: [Filters] = [
        Filters("none"),
        Filters("source", source: "s2"),
        Filters("type", type: .conversion),
        Filters("since", since: 100),
        Filters("until", until: 200),
        Filters("since+until", since: 50, until: 250),
        Filters("source+type", source: "s1", type: .lead),
        Filters("source+since", source: "s3", since: 120),
        Filters("type+until", type: .action, until: 180),
        Filters("all", source: "s1", type: .lead, since: 30, until: 270),
        Filters("source matching nothing", source: "nope"),
        Filters("since matching nothing", since: 10_000),
        Filters("until matching nothing", until: -10_000),
        Filters("empty range", since: 200, until: 100),
    ]

    // MARK: query plans

    /// The `detail` lines of the plan of `statement`.
    static func plan(_ statement: EventPageSQL.Statement, in store: SQLiteStore) async throws -> [String] {
        try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments).map { $0["detail"] }
        }
    }

    /// Whether `plan` reads the events table from one end to the other.
    static func scansEvents(_ plan: [String]) -> Bool {
        plan.contains { $0.hasPrefix("SCAN events") || $0.hasPrefix("SCAN TABLE events") }
    }

    @Test(arguments: combinations.filter { $0.sourceID != nil || $0.eventType != nil || ($0.since == nil && $0.until == nil) })
    func aFilteredReadSearchesTheIndexOfItsLeadingFilter(_ filters: Filters) async throws {
        try await withDatabase { _, store in
            let expected =
                if filters.sourceID != nil {
                    "USING INDEX events_by_source (account=? AND source_id=? AND id>?)"
                } else if filters.eventType != nil {
                    "USING INDEX events_by_type (account=? AND event_type=? AND id>?)"
                } else {
                    "USING INDEX events_by_account (account=? AND id>?)"
                }
            let plan = try await Self.plan(EventPageSQL.inIDOrder(filters.query(account: "acme"), after: 0, rowLimit: 101), in: store)
            // One search, in id order: no other table, no sort.
            #expect(plan.count == 1 && plan[0].hasPrefix("SEARCH events ") && plan[0].hasSuffix(expected), "\(plan)")
        }
    }

    @Test(arguments: combinations.filter { $0.sourceID == nil && $0.eventType == nil && ($0.since != nil || $0.until != nil) })
    func aTimeRangeAloneIsCountedAndSortedInTheCreationIndexOrReadInAWindowOfIDs(_ filters: Filters) async throws {
        try await withDatabase { _, store in
            let query = filters.query(account: "acme")
            let range = [filters.since.map { _ in "created_at>?" }, filters.until.map { _ in "created_at<?" }].compactMap { $0 }
            let creationSearch = "USING COVERING INDEX events_by_creation (\((["account=?"] + range).joined(separator: " AND ")))"

            let count = try await Self.plan(EventPageSQL.creationMatches(query, account: "acme", cap: 5000), in: store)
            #expect(count.contains { $0.hasPrefix("SEARCH events ") && $0.hasSuffix(creationSearch) }, "\(count)")
            #expect(!Self.scansEvents(count), "\(count)")

            let sorted = try await Self.plan(EventPageSQL.byCreation(query, account: "acme", after: 0, rowLimit: 101), in: store)
            #expect(sorted.contains { $0.hasPrefix("SEARCH events ") && $0.hasSuffix(creationSearch) }, "\(sorted)")
            #expect(sorted.contains { $0.hasPrefix("SEARCH events USING INTEGER PRIMARY KEY (rowid=?)") }, "\(sorted)")
            #expect(!Self.scansEvents(sorted), "\(sorted)")

            let windowEnd = try await Self.plan(EventPageSQL.idWindowEnd(account: "acme", after: 0, rows: 5000), in: store)
            #expect(windowEnd == ["SEARCH events USING COVERING INDEX events_by_account (account=? AND id>?)"])

            let window = try await Self.plan(EventPageSQL.inIDOrder(query, after: 0, through: 5000, rowLimit: 101), in: store)
            #expect(window == ["SEARCH events USING INDEX events_by_account (account=? AND id>? AND id<?)"])
        }
    }

    @Test(arguments: combinations)
    func anExportWithoutAccountReadsInPrimaryKeyOrder(_ filters: Filters) async throws {
        try await withDatabase { _, store in
            let plan = try await Self.plan(EventPageSQL.inIDOrder(filters.query(account: nil), after: 0, rowLimit: 1001), in: store)
            #expect(plan == ["SEARCH events USING INTEGER PRIMARY KEY (rowid>?)"])
        }
    }

    // MARK: pages

    /// An event stored, with its id.
    struct Stored {
        var id: Int64
        var account: String
        var event: EventInput
    }

    /// 300 events over two accounts, three sources and three types (none of them a conversion on
    /// globex), stored ten at a time. `created_at` follows arrival, but for every fifth event,
    /// which lands anywhere in the span, and some share a time.
    static func seed(_ store: SQLiteStore) async throws -> [Stored] {
        var stored: [Stored] = []
        for chunk in stride(from: 0, to: 300, by: 10) {
            for account in ["acme", "globex"] {
                let numbers = (chunk..<chunk + 10).filter { ($0 % 5 < 3) == (account == "acme") }
                let events = numbers.map { number in
                    let types: [EventType] = account == "acme" ? [.lead, .conversion, .action] : [.lead, .action]
                    let second = number.isMultiple(of: 5) ? number * 97 % 300 : number
                    return Fixtures.event(
                        types[number % 7 % types.count], name: "e\(number)", source: "s\(number % 3 + 1)",
                        createdAt: t0 + Int64(second) * 1000)
                }
                let outcome = try await store.store(EventSubmission(account: account, clientID: "\(account)-1", events: events))
                let ids = try #require(outcome.storedIDs)
                stored += zip(ids, events).map { Stored(id: $0, account: account, event: $1) }
            }
        }
        return stored
    }

    /// Every page of `query`, following `nextCursor`.
    static func pages(
        _ query: EventPageQuery, _ read: (EventPageQuery) async throws -> EventRecordPage
    ) async throws -> [EventRecordPage] {
        var query = query
        var pages: [EventRecordPage] = []
        while pages.count <= 300 {
            let page = try await read(query)
            pages.append(page)
            guard let next = page.nextCursor else { break }
            query.after = next
        }
        return pages
    }

    /// Whether `page` holds all it may: `limit` events, or `maximumBytes` of them.
    static func isFull(_ page: EventRecordPage, limit: Int, maximumBytes: Int) -> Bool {
        let bytes = page.records.map { EventRecordPage.weight(ofFieldsJSON: JSONValue.object($0.event.fields).jsonText) }.reduce(0, +)
        return page.records.count == limit || bytes >= maximumBytes
    }

    @Test func everyFilterCombinationPagesThroughExactlyItsEventsInIDOrder() async throws {
        try await withDatabase { _, store in
            let stored = try await Self.seed(store)
            // The default, and budgets small enough for this data to take every way through a
            // time range: sorted matches, a window of ids alone, and a window followed by sorted matches.
            let budgets = [TimeRangeBudget(creationMatches: 4, idWindow: 6), TimeRangeBudget(creationMatches: 1, idWindow: 1)]
            for account in ["acme", "globex"] {
                for filters in Self.combinations {
                    let expected = stored.filter { $0.account == account && filters.matches($0.event) }.sorted { $0.id < $1.id }
                    for (limit, maximumBytes) in [(7, EventPageQuery.defaultMaximumBytes), (1, EventPageQuery.defaultMaximumBytes), (50, 600)] {
                        let query = filters.query(account: account, limit: limit, maximumBytes: maximumBytes)
                        var readings = [("default budget", try await Self.pages(query) { try await store.eventPage($0) })]
                        for budget in budgets {
                            readings.append((
                                "\(budget)",
                                try await Self.pages(query) { query in
                                    try await store.pool.read { db in try SQLiteStore.eventPage(query, in: db, budget: budget) }
                                }
                            ))
                        }
                        for (name, pages) in readings {
                            let context: Comment = "\(account), \(filters), limit \(limit), \(maximumBytes) bytes, \(name)"
                            let records = pages.flatMap(\.records)
                            #expect(records.map(\.receipt.id) == expected.map(\.id), context)
                            #expect(records.map(\.event.eventName) == expected.map(\.event.eventName), context)
                            // Only the last page may be short, and none but a lone one is empty.
                            #expect(pages.dropLast().allSatisfy { Self.isFull($0, limit: limit, maximumBytes: maximumBytes) }, context)
                            #expect(pages.count == 1 || !(pages.last?.records.isEmpty ?? true), context)
                        }
                    }
                }
            }
            #expect(stored.count == 300)
        }
    }
}
