import IntakeModel

extension Event {
    /// The event as the JSON object `POST /v2/event` takes; absent optionals are left out.
    ///
    /// ```swift
    /// Event(type: .lead, name: "signup", sourceID: "web").json.jsonText
    /// // {"event_name":"signup","event_type":"lead","fields":{},"source_id":"web"}
    /// ```
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            EventFieldName.eventType.rawValue: .string(eventType.rawValue),
            EventFieldName.eventName.rawValue: .string(eventName),
            EventFieldName.sourceID.rawValue: .string(sourceID),
            EventFieldName.fields.rawValue: .object(fields),
        ]
        let optionals: [(EventFieldName, String?)] = [
            (.eventID, eventID), (.personID, personID), (.gaClientID, gaClientID), (.affiliateID, affiliateID),
            (.createdAt, createdAt),
        ]
        for case (let name, let value?) in optionals {
            members[name.rawValue] = .string(value)
        }
        return .object(members)
    }
}

extension EventReceipt {
    /// Reads `{"id":…,"received_at":…}` with the strict parser the server uses: the answer to every
    /// single send, cheaper than a `JSONDecoder` pass.
    init?(answer: some Collection<UInt8>) {
        guard case .object(let members)? = try? JSONValue(parsing: answer),
            case .integer(let id)? = members["id"], case .string(let receivedAt)? = members["received_at"]
        else { return nil }
        self.init(id: id, receivedAt: receivedAt)
    }
}
