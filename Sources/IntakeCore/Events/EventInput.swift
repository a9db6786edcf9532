import IntakeModel
/// A validated event, ready to store. Built by ``EventValidator`` from a request body.
///
/// ```swift
/// switch EventValidator(requiresAffiliate: false).validate(body) {
/// case .success(let event): …
/// case .failure(let problems): …
/// }
/// ```
public struct EventInput: Sendable, Hashable {
    public var eventType: EventType
    public var eventName: String
    public var sourceID: String
    public var fields: [String: JSONValue]
    public var eventID: String?
    public var personID: String?
    public var gaClientID: String?
    public var affiliateID: String?
    /// Milliseconds since 1970; the time received when the sender gave none.
    public var createdAt: Int64

    public init(
        eventType: EventType, eventName: String, sourceID: String, fields: [String: JSONValue], eventID: String? = nil,
        personID: String? = nil, gaClientID: String? = nil, affiliateID: String? = nil, createdAt: Int64
    ) {
        self.eventType = eventType
        self.eventName = eventName
        self.sourceID = sourceID
        self.fields = fields
        self.eventID = eventID
        self.personID = personID
        self.gaClientID = gaClientID
        self.affiliateID = affiliateID
        self.createdAt = createdAt
    }
}
