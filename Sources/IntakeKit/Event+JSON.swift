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

// The answers to sends are read with the strict parser the server uses: they come back for every
// request on the hot path, where a `JSONDecoder` pass costs more than the parse itself.

extension EventReceipt {
    /// Reads `{"id":…,"received_at":…}`.
    init?(answer: some Collection<UInt8>) {
        guard let answer = try? JSONValue(parsing: answer) else { return nil }
        self.init(json: answer)
    }

    init?(json: JSONValue) {
        guard case .object(let members) = json, case .integer(let id)? = members["id"],
            case .string(let receivedAt)? = members["received_at"]
        else { return nil }
        self.init(id: id, receivedAt: receivedAt)
    }
}

extension BatchReceipt {
    /// Reads `{"stored":…,"failed":…,"results":[{"index":…,"status":…,…}]}`.
    init?(answer: some Collection<UInt8>) {
        guard case .object(let members)? = try? JSONValue(parsing: answer),
            case .integer(let stored)? = members["stored"], case .integer(let failed)? = members["failed"],
            case .array(let results)? = members["results"]
        else { return nil }
        var items: [Item] = []
        items.reserveCapacity(results.count)
        for result in results {
            guard case .object(let item) = result, case .integer(let index)? = item["index"],
                case .integer(let status)? = item["status"]
            else { return nil }
            let receipt = EventReceipt(json: result)
            var errors: [FieldError]?
            if case .array(let list)? = item["errors"] {
                errors = list.compactMap { error in
                    guard case .object(let error) = error, case .string(let field)? = error["field"],
                        case .string(let detail)? = error["detail"]
                    else { return nil }
                    return FieldError(field: field, detail: detail)
                }
            }
            items.append(Item(
                index: Int(index), status: Int(status), id: receipt?.id, receivedAt: receipt?.receivedAt, errors: errors))
        }
        self.init(stored: Int(stored), failed: Int(failed), results: items)
    }
}
