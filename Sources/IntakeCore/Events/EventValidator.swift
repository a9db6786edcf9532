import IntakeModel
/// Checks an event body field by field and names every field that is wrong, not just the first.
///
/// Limits keep one event small enough to store and read back cheaply: labels and ids up to
/// ``maximumStringLength`` characters; `fields` up to ``maximumFieldsDepth`` levels deep and
/// ``maximumFieldsNodes`` values in all.
///
/// ```swift
/// let validator = EventValidator(requiresAffiliate: false)
/// switch validator.validate(body, receivedAt: UnixTime.nowMilliseconds()) {
/// case .success(let event): try await store.store(…)
/// case .failure(let failure): print(failure.problems)
/// }
/// ```
package struct EventValidator: Sendable {
    package static let maximumStringLength = 256
    package static let maximumFieldsDepth = 8
    package static let maximumFieldsNodes = 1000
    package static let maximumFieldKeyLength = 256

    /// `POST /v2/affiliate_event` also requires `affiliate_id`.
    package var requiresAffiliate: Bool

    package init(requiresAffiliate: Bool) {
        self.requiresAffiliate = requiresAffiliate
    }

    /// Every problem found in one body.
    package struct Failure: Error, Sendable, Equatable {
        package var problems: [FieldProblem]
    }

    private static let knownFields = Set(EventFieldName.allCases.map(\.rawValue))

    /// Validates one event body; `path` prefixes field names (e.g. `events[2].`) in batches.
    package func validate(_ body: JSONValue, receivedAt: Int64, path: String = "") -> Result<EventInput, Failure> {
        guard case .object(let object) = body else {
            return .failure(Failure(problems: [
                FieldProblem(field: path.isEmpty ? "(body)" : String(path.dropLast()), detail: "must be a JSON object, not \(body.typeName)")
            ]))
        }
        var problems: [FieldProblem] = []
        func problem(_ field: String, _ detail: String) {
            problems.append(FieldProblem(field: path + field, detail: detail))
        }
        func problem(_ field: EventFieldName, _ detail: String) {
            problem(field.rawValue, detail)
        }
        func string(_ field: EventFieldName, required: Bool) -> String? {
            switch object[field.rawValue] {
            case nil, .null?:
                if required { problem(field, "is required") }
                return nil
            case .string(let value)?:
                if value.isEmpty {
                    problem(field, "must not be empty")
                    return nil
                }
                if value.utf8.contains(0) {
                    problem(field, "must not contain NUL characters")
                    return nil
                }
                if value.count > Self.maximumStringLength {
                    problem(field, "must be at most \(Self.maximumStringLength) characters")
                    return nil
                }
                return value
            case let other?:
                problem(field, "must be a string, not \(other.typeName)")
                return nil
            }
        }

        for key in object.keys.sorted() where !Self.knownFields.contains(key) {
            problem(key, "is not a field of an event")
        }
        var eventType: EventType?
        if let text = string(.eventType, required: true) {
            eventType = EventType(rawValue: text)
            if eventType == nil { problem(.eventType, "must be one of lead, conversion, action") }
        }
        let eventName = string(.eventName, required: true)
        let sourceID = string(.sourceID, required: true)
        var fields: [String: JSONValue]?
        switch object[EventFieldName.fields.rawValue] {
        case nil, .null?:
            problem(.fields, "is required")
        case .object(let members)?:
            let value = JSONValue.object(members)
            if value.depth > Self.maximumFieldsDepth {
                problem(.fields, "must be nested at most \(Self.maximumFieldsDepth) levels deep")
            } else if value.nodeCount - 1 > Self.maximumFieldsNodes {
                problem(.fields, "must hold at most \(Self.maximumFieldsNodes) values")
            } else if let long = members.keys.first(where: { $0.isEmpty || $0.count > Self.maximumFieldKeyLength }) {
                problem(.fields, "has a key of \(long.count) characters; keys must have 1 to \(Self.maximumFieldKeyLength)")
            } else {
                fields = members
            }
        case let other?:
            problem(.fields, "must be a JSON object, not \(other.typeName)")
        }
        let eventID = string(.eventID, required: false)
        let personID = string(.personID, required: false)
        let gaClientID = string(.gaClientID, required: false)
        let affiliateID = string(.affiliateID, required: requiresAffiliate)
        var createdAt = receivedAt
        if let text = string(.createdAt, required: false) {
            if let millis = Timestamp.parse(text) {
                createdAt = millis
            } else {
                problem(.createdAt, "must be an ISO 8601 date-time such as 2019-12-02T10:00:00.000Z")
            }
        }
        guard problems.isEmpty, let eventType, let eventName, let sourceID, let fields else {
            return .failure(Failure(problems: problems))
        }
        return .success(EventInput(
            eventType: eventType, eventName: eventName, sourceID: sourceID, fields: fields, eventID: eventID,
            personID: personID, gaClientID: gaClientID, affiliateID: affiliateID, createdAt: createdAt
        ))
    }
}
