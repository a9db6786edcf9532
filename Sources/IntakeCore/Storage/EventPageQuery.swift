import IntakeModel

/// A page request for reading events back.
package struct EventPageQuery: Sendable, Hashable {
    package static let maximumLimit = 1000
    /// What one page may weigh by default: a thousand 1 KiB events, or a few of the largest.
    package static let defaultMaximumBytes = 4 << 20

    /// Nil reads every account (`intake events export`); `/v2` always names the caller's.
    package var account: String?
    /// Only events after this one, in the store's order (the cursor).
    package var after: EventCursor?
    package var limit: Int
    package var sourceID: String?
    package var eventType: EventType?
    /// Milliseconds since 1970, on `created_at`, inclusive.
    package var since: Int64?
    /// Milliseconds since 1970, on `created_at`, exclusive.
    package var until: Int64?
    /// The page ends after the event whose stored size takes the total past this.
    package var maximumBytes: Int

    package init(
        account: String?, after: EventCursor? = nil, limit: Int = 100, sourceID: String? = nil, eventType: EventType? = nil,
        since: Int64? = nil, until: Int64? = nil, maximumBytes: Int = defaultMaximumBytes
    ) {
        self.account = account
        self.after = after
        self.limit = limit
        self.sourceID = sourceID
        self.eventType = eventType
        self.since = since
        self.until = until
        self.maximumBytes = maximumBytes
    }
}
