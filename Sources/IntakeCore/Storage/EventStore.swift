import IntakeModel
/// Durable, idempotent storage of events. One implementation per database.
///
/// A call returns only once its events are committed to disk; concurrent calls share commits.
///
/// ```swift
/// let outcome = try await store.store(EventSubmission(account: "default", clientID: id, events: [event]) { receipts in
///     ResponseRecord(status: 201, body: Array(#"{"id":\#(receipts[0].id)}"#.utf8))
/// })
/// ```
public protocol EventStore: Sendable {
    func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome
    /// Events of `query.account`, oldest first.
    func events(_ query: EventQuery) async throws -> [StoredEvent]
    /// Forgets idempotency keys first seen before `cutoff` (seconds since 1970).
    func purgeIdempotencyKeys(olderThan cutoff: Int64) async throws
}

/// The id and arrival time the store gave an event.
public struct EventReceipt: Sendable, Hashable {
    public var id: Int64
    /// Milliseconds since 1970.
    public var receivedAt: Int64

    public init(id: Int64, receivedAt: Int64) {
        self.id = id
        self.receivedAt = receivedAt
    }
}

/// An HTTP answer kept with an idempotency key so that a repeat gets the same one.
public struct ResponseRecord: Sendable, Hashable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// An idempotency key (IETF draft "The Idempotency-Key HTTP Header Field") and the fingerprint of
/// the request it first came with.
public struct IdempotencyKey: Sendable, Hashable {
    public static let maximumLength = 255
    /// How long a key is honoured.
    public static let retentionSeconds: Int64 = 24 * 3600

    public var key: String
    public var fingerprint: [UInt8]

    public init(key: String, fingerprint: [UInt8]) {
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// One request's events, stored together (in one transaction) or not at all.
public struct EventSubmission: Sendable {
    public var account: String
    public var clientID: String
    public var events: [EventInput]
    public var idempotencyKey: IdempotencyKey?
    /// Builds the response from the receipts, inside the transaction, so that it can be kept with the key.
    public var respond: @Sendable ([EventReceipt]) -> ResponseRecord

    public init(
        account: String, clientID: String, events: [EventInput], idempotencyKey: IdempotencyKey? = nil,
        respond: @escaping @Sendable ([EventReceipt]) -> ResponseRecord
    ) {
        self.account = account
        self.clientID = clientID
        self.events = events
        self.idempotencyKey = idempotencyKey
        self.respond = respond
    }

    public enum Outcome: Sendable, Hashable {
        /// Newly committed.
        case stored(ResponseRecord)
        /// The key was seen before with the same request: its first answer, nothing stored.
        case replayed(ResponseRecord)
        /// The key was seen before with a different request.
        case keyReused
    }
}

/// A page request for reading events back.
public struct EventQuery: Sendable, Hashable {
    public static let maximumLimit = 1000

    public var account: String
    /// Only events with an id greater than this (the cursor).
    public var after: Int64?
    public var limit: Int
    public var sourceID: String?
    public var eventType: EventType?
    /// Milliseconds since 1970, on `created_at`, inclusive.
    public var since: Int64?
    /// Milliseconds since 1970, on `created_at`, exclusive.
    public var until: Int64?

    public init(
        account: String, after: Int64? = nil, limit: Int = 100, sourceID: String? = nil, eventType: EventType? = nil,
        since: Int64? = nil, until: Int64? = nil
    ) {
        self.account = account
        self.after = after
        self.limit = limit
        self.sourceID = sourceID
        self.eventType = eventType
        self.since = since
        self.until = until
    }
}

/// An event as stored.
public struct StoredEvent: Sendable, Hashable {
    public var receipt: EventReceipt
    public var clientID: String
    public var event: EventInput

    public init(receipt: EventReceipt, clientID: String, event: EventInput) {
        self.receipt = receipt
        self.clientID = clientID
        self.event = event
    }
}
