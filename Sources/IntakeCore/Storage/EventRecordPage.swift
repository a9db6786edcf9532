/// One page of stored events and whether more follow it.
package struct EventRecordPage: Sendable, Hashable {
    package var records: [EventRecord]
    /// More events match after the last one here.
    package var hasMore: Bool

    /// The cursor to the next page; nil on the last.
    package var nextCursor: EventCursor? { hasMore ? records.last?.cursor : nil }

    package init(records: [EventRecord], hasMore: Bool) {
        self.records = records
        self.hasMore = hasMore
    }

    /// What a page costs to hold: the stored text of one event, plus a fixed allowance for the rest.
    package static func weight(ofFieldsJSON fields: String) -> Int {
        fields.utf8.count + 256
    }
}

/// Fills a page from rows read one at a time, so a store never holds more than one row past the
/// page: the row that shows more follow.
package struct EventRecordPageBuilder: Sendable {
    private let limit: Int
    private let maximumBytes: Int
    private var records: [EventRecord] = []
    private var bytes = 0
    private var sawMore = false

    private var isFull: Bool { records.count >= limit || bytes >= maximumBytes }

    package init(_ query: EventPageQuery) {
        self.limit = min(max(query.limit, 1), EventPageQuery.maximumLimit)
        self.maximumBytes = query.maximumBytes
    }

    /// How many rows to ask the database for: one more than a page, to learn whether more follow.
    package var rowLimit: Int { limit + 1 }

    /// Adds the next row (given its fields text, read before the rest is decoded); false once the
    /// page is complete and reading can stop.
    package mutating func add(fieldsJSON: String, _ record: () throws -> EventRecord) rethrows -> Bool {
        guard !isFull else {
            sawMore = true
            return false
        }
        records.append(try record())
        bytes += EventRecordPage.weight(ofFieldsJSON: fieldsJSON)
        return true
    }

    package var page: EventRecordPage { EventRecordPage(records: records, hasMore: sawMore) }
}
