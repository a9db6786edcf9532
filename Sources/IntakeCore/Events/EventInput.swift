import IntakeModel
/// A validated event, ready to store. Built by ``EventValidator`` from a request body.
///
/// ```swift
/// switch EventValidator(requiresAffiliate: false).validate(body, receivedAt: UnixTime.nowMilliseconds()) {
/// case .success(let event): print(event.eventName)
/// case .failure(let failure): print(failure.problems)
/// }
/// ```
package struct EventInput: Sendable, Hashable {
    package var eventType: EventType
    package var eventName: String
    package var sourceID: String
    package var fields: [String: JSONValue]
    package var eventID: String?
    package var personID: String?
    package var gaClientID: String?
    package var affiliateID: String?
    /// Milliseconds since 1970; the time received when the sender gave none.
    package var createdAt: Int64

    package init(
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
