/// The JSON member names of an event body, as the published API names them, shared by the server's validation and
/// read-back and by the SDK's `Event`, so that the wire names are written down once.
///
/// ```swift
/// EventFieldName.eventType.rawValue   // "event_type"
/// ```
package enum EventFieldName: String, CodingKey, CaseIterable, Sendable {
    case eventType = "event_type"
    case eventName = "event_name"
    case sourceID = "source_id"
    case fields
    case eventID = "event_id"
    case personID = "person_id"
    case gaClientID = "ga_client_id"
    case affiliateID = "affiliate_id"
    case createdAt = "created_at"
}
