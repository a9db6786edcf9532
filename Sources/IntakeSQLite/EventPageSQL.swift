import GRDB
import IntakeCore
import IntakeModel

/// The statements that read pages of events, built from the filters present so that each filter
/// can use its index (a generic `? IS NULL OR column = ?` can use none).
enum EventPageSQL {
    typealias Statement = (sql: String, arguments: StatementArguments)

    /// The rows matching `query` after `after` (up to `last`, when given) in id order, at most
    /// `rowLimit`: searched through `events_by_source` when there is a source, else `events_by_type`
    /// when there is a type, else `events_by_account`; without an account, in primary-key order.
    /// All of these give id order. The other filters are checked on the rows found, and the `+`
    /// before them keeps the planner off their indexes: with both a source and a type it took
    /// `events_by_type`, and `events_by_creation` would need a sort.
    static func inIDOrder(_ query: EventPageQuery, after: Int64, through last: Int64? = nil, rowLimit: Int) -> Statement {
        var conditions = Conditions()
        var leads = query.account != nil
        if let account = query.account { conditions.add("account = ?", account) }
        for (column, value) in [("source_id", query.sourceID), ("event_type", query.eventType?.rawValue)] {
            guard let value else { continue }
            conditions.add(leads ? "\(column) = ?" : "+\(column) = ?", value)
            leads = false
        }
        conditions.add("id > ?", after)
        if let last { conditions.add("id <= ?", last) }
        conditions.addCreatedAt(query, residual: true)
        conditions.arguments += [rowLimit]
        return ("SELECT * FROM events WHERE \(conditions.sql) ORDER BY id LIMIT ?", conditions.arguments)
    }

    /// The rows of `account` in `query`'s time range after `after`, in id order, at most
    /// `rowLimit`: their ids found and sorted in `events_by_creation` alone, then the rows read by
    /// id. `INDEXED BY`, because for `ORDER BY id LIMIT` the planner would rather walk the account in
    /// id order, which is what this avoids (it does with `id > ?`, and after `ANALYZE` even without).
    static func byCreation(_ query: EventPageQuery, account: String, after: Int64, rowLimit: Int) -> Statement {
        var conditions = Conditions()
        conditions.add("account = ?", account)
        conditions.addCreatedAt(query, residual: false)
        conditions.add("id > ?", after)
        conditions.arguments += [rowLimit]
        return (
            """
            SELECT * FROM events WHERE id IN (
                SELECT id FROM events INDEXED BY events_by_creation WHERE \(conditions.sql) ORDER BY id LIMIT ?)
            ORDER BY id
            """,
            conditions.arguments
        )
    }

    /// How many events of `account` lie in `query`'s time range, counted in `events_by_creation`
    /// up to `cap` and no further. The cursor is left out: entries before it would be passed over
    /// uncounted, as many as the range holds.
    static func creationMatches(_ query: EventPageQuery, account: String, cap: Int) -> Statement {
        var conditions = Conditions()
        conditions.add("account = ?", account)
        conditions.addCreatedAt(query, residual: false)
        conditions.arguments += [cap]
        return ("SELECT count(*) FROM (SELECT 1 FROM events WHERE \(conditions.sql) LIMIT ?)", conditions.arguments)
    }

    /// The id of the `rows`-th event of `account` after `after`, or nil when fewer follow: found in
    /// `events_by_account` alone.
    static func idWindowEnd(account: String, after: Int64, rows: Int) -> Statement {
        ("SELECT id FROM events WHERE account = ? AND id > ? ORDER BY id LIMIT 1 OFFSET ?", [account, after, rows - 1])
    }

    private struct Conditions {
        private var terms: [String] = []
        var arguments: StatementArguments = []

        var sql: String { terms.joined(separator: " AND ") }

        mutating func add(_ term: String, _ value: some DatabaseValueConvertible) {
            terms.append(term)
            arguments += [value]
        }

        mutating func addCreatedAt(_ query: EventPageQuery, residual: Bool) {
            let column = residual ? "+created_at" : "created_at"
            if let since = query.since { add("\(column) >= ?", since) }
            if let until = query.until { add("\(column) < ?", until) }
        }
    }
}
