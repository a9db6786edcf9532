import Foundation
import IntakeModel

/// A marketing event, as `POST /v2/event` takes it.
///
/// ```swift
/// let event = Event(type: .lead, name: "newsletter-signup", sourceID: "landing-page", fields: ["email": "ada@example.com"])
/// let dated = Event(type: .conversion, name: "order", sourceID: "shop", fields: ["total": 42.5], createdAt: Date())
/// ```
public struct Event: Sendable, Hashable, Codable {
    public var eventType: EventType
    public var eventName: String
    public var sourceID: String
    public var fields: [String: JSONValue]
    public var eventID: String?
    public var personID: String?
    public var gaClientID: String?
    /// Required by `/v2/affiliate_event` only.
    public var affiliateID: String?
    /// ISO 8601; the server uses the time received when nil.
    public var createdAt: String?

    public init(
        type: EventType, name: String, sourceID: String, fields: [String: JSONValue] = [:], eventID: String? = nil,
        personID: String? = nil, gaClientID: String? = nil, affiliateID: String? = nil, createdAt: String? = nil
    ) {
        self.eventType = type
        self.eventName = name
        self.sourceID = sourceID
        self.fields = fields
        self.eventID = eventID
        self.personID = personID
        self.gaClientID = gaClientID
        self.affiliateID = affiliateID
        self.createdAt = createdAt
    }

    /// An event that happened at `createdAt`, sent as ISO 8601 in UTC with milliseconds
    /// (`2019-12-02T10:00:00.000Z`).
    public init(
        type: EventType, name: String, sourceID: String, fields: [String: JSONValue] = [:], eventID: String? = nil,
        personID: String? = nil, gaClientID: String? = nil, affiliateID: String? = nil, createdAt: Date
    ) {
        self.init(
            type: type, name: name, sourceID: sourceID, fields: fields, eventID: eventID, personID: personID,
            gaClientID: gaClientID, affiliateID: affiliateID,
            createdAt: createdAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    typealias CodingKeys = EventFieldName
}

/// What the server answered for a stored event.
public struct EventReceipt: Sendable, Hashable, Decodable {
    public var id: Int64
    public var receivedAt: String

    enum CodingKeys: String, CodingKey {
        case id
        case receivedAt = "received_at"
    }
}

/// The answer to `POST /v2/events`: one result per event, in order.
public struct BatchReceipt: Sendable, Hashable, Decodable {
    public struct Item: Sendable, Hashable, Decodable {
        public var index: Int
        public var status: Int
        public var id: Int64?
        public var receivedAt: String?
        public var errors: [FieldError]?

        enum CodingKeys: String, CodingKey {
            case index, status, id, errors
            case receivedAt = "received_at"
        }
    }

    public var stored: Int
    public var failed: Int
    public var results: [Item]
}

/// A field the server refused, and why.
public struct FieldError: Sendable, Hashable, Decodable, CustomStringConvertible {
    public var field: String
    public var detail: String

    public var description: String { "\(field) \(detail)" }
}

/// A page of `GET /v2/events`.
public struct EventPage: Sendable, Hashable, Decodable {
    /// An event read back: what was sent plus the server's `id` and `received_at`.
    public struct StoredEvent: Sendable, Hashable, Decodable {
        public var id: Int64
        public var receivedAt: String
        public var event: Event

        enum CodingKeys: String, CodingKey {
            case id
            case receivedAt = "received_at"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(Int64.self, forKey: .id)
            receivedAt = try container.decode(String.self, forKey: .receivedAt)
            event = try Event(from: decoder)
        }
    }

    public var events: [StoredEvent]
    public var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case events
        case nextCursor = "next_cursor"
    }
}

/// Filters and paging for ``IntakeClient/events(_:)``.
public struct EventQuery: Sendable, Hashable {
    public var after: String?
    public var limit: Int?
    public var sourceID: String?
    public var eventType: EventType?
    public var since: String?
    public var until: String?

    public init(
        after: String? = nil, limit: Int? = nil, sourceID: String? = nil, eventType: EventType? = nil,
        since: String? = nil, until: String? = nil
    ) {
        self.after = after
        self.limit = limit
        self.sourceID = sourceID
        self.eventType = eventType
        self.since = since
        self.until = until
    }
}
