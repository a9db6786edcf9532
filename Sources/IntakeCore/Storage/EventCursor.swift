/// Where a page of events ends, as `next_cursor` and `after` carry it: opaque to clients.
///
/// A store whose ids are committed in order (SQLite, one writer) pages by id alone: `"18"`. On
/// PostgreSQL, instances commit concurrently, so an event can commit after one with a higher id;
/// there pages follow commit order, (transaction, id), and the cursor says both: `"7412.18"`. A
/// bare id given there (a cursor from before, or a position to resume an export from) goes on
/// from that event's transaction.
///
/// ```swift
/// let cursor = EventCursor("7412.18")   // transaction 7412, id 18
/// String(describing: EventCursor(id: 18)) // "18"
/// ```
package struct EventCursor: Sendable, Hashable, LosslessStringConvertible {
    /// The id of the last event of the page.
    package var id: Int64
    /// The transaction that stored it, where pages follow commit order.
    package var transaction: Int64?

    package init(id: Int64, transaction: Int64? = nil) {
        self.id = id
        self.transaction = transaction
    }

    /// `"18"` or `"7412.18"`; nil for anything else (negative numbers included).
    package init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let id = parts.last.flatMap({ Int64($0) })
        else { return nil }
        if parts.count == 2 {
            guard let transaction = Int64(parts[0]) else { return nil }
            self.init(id: id, transaction: transaction)
        } else {
            self.init(id: id)
        }
    }

    package var description: String {
        transaction.map { "\($0).\(id)" } ?? String(id)
    }
}
