import IntakeCore
import IntakeModel

extension EventRecord {
    /// The event as `GET /v2/events` shows it: the names it was sent with, plus `id` and
    /// `received_at`; `includingOwner` adds `account` and `client_id` (for `intake events
    /// export`, which reads every account).
    package func appendJSON(to out: inout [UInt8], includingOwner: Bool = false) {
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("id", integer: receipt.id, to: &out)
        if includingOwner {
            JSONWriter.appendMember("account", string: account, to: &out)
            JSONWriter.appendMember("client_id", string: clientID, to: &out)
        }
        JSONWriter.appendMember(EventFieldName.eventType.rawValue, string: event.eventType.rawValue, to: &out)
        JSONWriter.appendMember(EventFieldName.eventName.rawValue, string: event.eventName, to: &out)
        JSONWriter.appendMember(EventFieldName.sourceID.rawValue, string: event.sourceID, to: &out)
        JSONWriter.appendKey(EventFieldName.fields.rawValue, to: &out)
        JSONValue.object(event.fields).appendJSON(to: &out)
        let optionals: [(EventFieldName, String?)] = [
            (.eventID, event.eventID), (.personID, event.personID), (.gaClientID, event.gaClientID),
            (.affiliateID, event.affiliateID),
        ]
        for case (let name, let value?) in optionals {
            JSONWriter.appendMember(name.rawValue, string: value, to: &out)
        }
        JSONWriter.appendMember(EventFieldName.createdAt.rawValue, string: Timestamp.format(event.createdAt), to: &out)
        JSONWriter.appendMember("received_at", string: Timestamp.format(receipt.receivedAt), to: &out)
        JSONWriter.appendObjectEnd(&out)
    }
}
