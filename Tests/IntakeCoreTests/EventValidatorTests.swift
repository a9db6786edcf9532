import Foundation
import IntakeCore
import IntakeModel
import Testing

@Suite("EventValidator")
struct EventValidatorTests {
    static let receivedAt: Int64 = 1_700_000_000_123
    static let plain = EventValidator(requiresAffiliate: false)
    static let affiliate = EventValidator(requiresAffiliate: true)

    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// A valid body with `changes` applied and the `removing` members left out.
    static func body(_ changes: [String: JSONValue] = [:], removing: Set<String> = []) -> JSONValue {
        var object: [String: JSONValue] = [
            "event_type": .string("lead"),
            "event_name": .string("signup"),
            "source_id": .string("src-1"),
            "fields": .object(["email": .string("a@example.com")]),
        ]
        for (key, value) in changes { object[key] = value }
        for key in removing { object[key] = nil }
        return .object(object)
    }

    static func problems(
        _ body: JSONValue, validator: EventValidator = plain, path: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [FieldProblem] {
        switch validator.validate(body, receivedAt: receivedAt, path: path) {
        case .success(let event):
            Issue.record("expected a failure, got \(event)", sourceLocation: sourceLocation)
            return []
        case .failure(let failure):
            return failure.problems
        }
    }

    static func accepted(
        _ body: JSONValue, validator: EventValidator = plain, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> EventInput {
        switch validator.validate(body, receivedAt: receivedAt) {
        case .success(let event): return event
        case .failure(let failure):
            Issue.record("expected success, got \(failure.problems)", sourceLocation: sourceLocation)
            throw failure
        }
    }

    static func nested(depth: Int) -> JSONValue {
        var value = JSONValue.integer(1)
        for _ in 0..<depth { value = .object(["n": value]) }
        return value
    }

    // MARK: valid bodies

    @Test func acceptsAMinimalEventAndDefaultsCreatedAtToReceivedAt() throws {
        let event = try Self.accepted(Self.body())
        #expect(event == EventInput(
            eventType: .lead, eventName: "signup", sourceID: "src-1", fields: ["email": .string("a@example.com")],
            createdAt: Self.receivedAt))
    }

    @Test func acceptsEveryOptionalField() throws {
        let body = try Self.json("""
            {"event_type":"conversion","event_name":"purchase","source_id":"s","fields":{"n":9007199254740993,"x":{"y":[1,2.5,null,true]}},
             "event_id":"e1","person_id":"p1","ga_client_id":"GA1.2.3","affiliate_id":"aff","created_at":"2019-12-02T10:00:00.000Z"}
            """)
        let event = try Self.accepted(body, validator: Self.affiliate)
        #expect(event.eventType == .conversion)
        #expect(event.eventName == "purchase")
        #expect(event.sourceID == "s")
        #expect(event.eventID == "e1")
        #expect(event.personID == "p1")
        #expect(event.gaClientID == "GA1.2.3")
        #expect(event.affiliateID == "aff")
        #expect(event.createdAt == 1_575_280_800_000)
        #expect(event.fields["n"] == .integer(9_007_199_254_740_993))
        #expect(event.fields["x"] == .object(["y": .array([.integer(1), .number(2.5), .null, .bool(true)])]))
    }

    @Test(arguments: EventType.allCases)
    func acceptsEveryEventType(type: EventType) throws {
        #expect(try Self.accepted(Self.body(["event_type": .string(type.rawValue)])).eventType == type)
    }

    @Test func acceptsAnEmptyFieldsObject() throws {
        #expect(try Self.accepted(Self.body(["fields": .object([:])])).fields.isEmpty)
    }

    @Test(arguments: ["event_id", "person_id", "ga_client_id", "affiliate_id", "created_at"])
    func optionalFieldsMayBeNull(field: String) throws {
        let event = try Self.accepted(Self.body([field: .null]))
        #expect(event.createdAt == Self.receivedAt)
    }

    // MARK: required fields

    @Test(arguments: ["event_type", "event_name", "source_id", "fields"])
    func requiredFieldMissing(field: String) {
        let problems = Self.problems(Self.body(removing: [field]))
        #expect(problems == [FieldProblem(field: field, detail: "is required")])
    }

    @Test(arguments: ["event_type", "event_name", "source_id", "fields"])
    func requiredFieldNull(field: String) {
        let problems = Self.problems(Self.body([field: .null]))
        #expect(problems.map(\.field) == [field])
    }

    @Test(arguments: ["event_type", "event_name", "source_id", "event_id", "person_id", "ga_client_id", "affiliate_id", "created_at"])
    func emptyStringsAreRefused(field: String) {
        let problems = Self.problems(Self.body([field: .string("")]))
        #expect(problems == [FieldProblem(field: field, detail: "must not be empty")])
    }

    @Test(arguments: [
        ("event_name", JSONValue.integer(5), "number"),
        ("event_name", .number(1.5), "number"),
        ("source_id", .bool(true), "boolean"),
        ("event_type", .array([.string("lead")]), "array"),
        ("event_id", .object([:]), "object"),
        ("person_id", .integer(42), "number"),
        ("ga_client_id", .bool(false), "boolean"),
        ("affiliate_id", .integer(1), "number"),
        ("created_at", .integer(1_575_280_800_000), "number"),
    ])
    func stringFieldsOfTheWrongTypeAreRefused(field: String, value: JSONValue, typeName: String) {
        let problems = Self.problems(Self.body([field: value]))
        #expect(problems == [FieldProblem(field: field, detail: "must be a string, not \(typeName)")])
    }

    @Test(arguments: [
        (JSONValue.string("{}"), "string"), (.array([]), "array"), (.integer(1), "number"), (.bool(true), "boolean"),
    ])
    func fieldsMustBeAnObject(value: JSONValue, typeName: String) {
        let problems = Self.problems(Self.body(["fields": value]))
        #expect(problems == [FieldProblem(field: "fields", detail: "must be a JSON object, not \(typeName)")])
    }

    @Test(arguments: ["Lead", "LEAD", "purchase", "lead ", " lead", "leads", "click"])
    func eventTypeMustBeOneOfTheThree(value: String) {
        let problems = Self.problems(Self.body(["event_type": .string(value)]))
        #expect(problems.map(\.field) == ["event_type"])
        #expect(problems.first?.detail.contains("lead, conversion, action") == true)
    }

    @Test(arguments: ["event_name", "source_id", "event_id", "person_id", "ga_client_id", "affiliate_id"])
    func stringsAreLimitedTo256Characters(field: String) throws {
        _ = try Self.accepted(Self.body([field: .string(String(repeating: "é", count: 256))]))
        let problems = Self.problems(Self.body([field: .string(String(repeating: "x", count: 257))]))
        #expect(problems.map(\.field) == [field])
    }

    // MARK: fields limits

    @Test func fieldsMayNestEightLevels() throws {
        // `fields` itself is level 1.
        let eight = Self.nested(depth: 7)
        #expect(JSONValue.object(["n": eight]).depth == 8)
        _ = try Self.accepted(Self.body(["fields": .object(["n": eight])]))
        let nine = Self.nested(depth: 8)
        let problems = Self.problems(Self.body(["fields": .object(["n": nine])]))
        #expect(problems.map(\.field) == ["fields"])
        #expect(problems.first?.detail.contains("8") == true)
    }

    @Test func deepArraysCountAsLevelsToo() {
        var value = JSONValue.integer(1)
        for _ in 0..<20 { value = .array([value]) }
        #expect(Self.problems(Self.body(["fields": .object(["a": value])])).map(\.field) == ["fields"])
    }

    @Test func fieldsAreLimitedInTotalValues() throws {
        let small = Dictionary(uniqueKeysWithValues: (0..<999).map { ("k\($0)", JSONValue.integer(Int64($0))) })
        _ = try Self.accepted(Self.body(["fields": .object(small)]))
        let big = Dictionary(uniqueKeysWithValues: (0..<1001).map { ("k\($0)", JSONValue.integer(Int64($0))) })
        let problems = Self.problems(Self.body(["fields": .object(big)]))
        #expect(problems.map(\.field) == ["fields"])
        #expect(problems.first?.detail.contains("1000") == true)
    }

    @Test func nestedValuesCountTowardsTheLimit() {
        let lists = Dictionary(uniqueKeysWithValues: (0..<10).map {
            ("list\($0)", JSONValue.array((0..<100).map { JSONValue.integer(Int64($0)) }))
        })
        #expect(Self.problems(Self.body(["fields": .object(lists)])).map(\.field) == ["fields"])
    }

    @Test func fieldKeysHaveOneTo256Characters() throws {
        _ = try Self.accepted(Self.body(["fields": .object([String(repeating: "k", count: 256): .integer(1)])]))
        _ = try Self.accepted(Self.body(["fields": .object(["k": .integer(1)])]))
        let long = Self.problems(Self.body(["fields": .object([String(repeating: "k", count: 257): .integer(1)])]))
        #expect(long.map(\.field) == ["fields"])
        #expect(long.first?.detail.contains("257") == true)
        let empty = Self.problems(Self.body(["fields": .object(["": .integer(1)])]))
        #expect(empty.map(\.field) == ["fields"])
    }

    // MARK: unknown fields

    @Test func unknownTopLevelFieldsAreNamed() {
        let problems = Self.problems(Self.body(["colour": .string("red"), "Event_Type": .string("lead")]))
        #expect(Set(problems.map(\.field)) == ["colour", "Event_Type"])
        #expect(problems.allSatisfy { $0.detail == "is not a field of an event" })
    }

    @Test func unknownFieldsInsideFieldsAreFine() throws {
        _ = try Self.accepted(Self.body(["fields": .object(["colour": .string("red"), "event_type": .integer(1)])]))
    }

    // MARK: created_at

    @Test func createdAtIsParsed() throws {
        let event = try Self.accepted(Self.body(["created_at": .string("2019-12-02T12:00:00+02:00")]))
        #expect(event.createdAt == 1_575_280_800_000)
    }

    @Test(arguments: ["yesterday", "2019-02-30T10:00:00Z", "2019-12-02", "2019-12-02T10:00:00", "1575280800000"])
    func createdAtMustBeADateTime(text: String) {
        let problems = Self.problems(Self.body(["created_at": .string(text)]))
        #expect(problems.map(\.field) == ["created_at"])
        #expect(problems.first?.detail.contains("ISO 8601") == true)
    }

    /// Microsecond timestamps (Python's `isoformat()`) are ISO 8601 too. In a child process so that a
    /// crash fails this test only.
    @Test func createdAtWithMicrosecondsIsAccepted() async {
        await #expect(processExitsWith: .success) {
            let body = JSONValue.object([
                "event_type": .string("lead"), "event_name": .string("n"), "source_id": .string("s"),
                "fields": .object([:]), "created_at": .string("2019-12-02T10:00:00.123456Z"),
            ])
            guard case .success(let event) = EventValidator(requiresAffiliate: false).validate(body, receivedAt: 0) else {
                preconditionFailure("refused")
            }
            precondition(event.createdAt == 1_575_280_800_123)
        }
    }

    // MARK: affiliate_id

    @Test func affiliateIDIsRequiredOnlyForAffiliateEvents() throws {
        #expect(Self.problems(Self.body(), validator: Self.affiliate) == [FieldProblem(field: "affiliate_id", detail: "is required")])
        #expect(try Self.accepted(Self.body(), validator: Self.plain).affiliateID == nil)
        #expect(try Self.accepted(Self.body(["affiliate_id": .string("a1")]), validator: Self.affiliate).affiliateID == "a1")
        #expect(try Self.accepted(Self.body(["affiliate_id": .string("a1")]), validator: Self.plain).affiliateID == "a1")
    }

    // MARK: many problems, paths, non-objects

    @Test func namesEveryBadFieldAtOnce() {
        let body = JSONValue.object([
            "event_type": .string("purchase"),
            "event_name": .integer(5),
            "fields": .array([]),
            "person_id": .string(""),
            "created_at": .string("soon"),
            "extra": .bool(true),
        ])
        let problems = Self.problems(body, validator: Self.affiliate)
        #expect(Set(problems.map(\.field)) == [
            "event_type", "event_name", "source_id", "fields", "person_id", "created_at", "extra", "affiliate_id",
        ])
        #expect(problems.count == 8)
    }

    @Test func pathPrefixesEveryFieldInABatch() {
        let body = Self.body(["event_type": .string("nope"), "junk": .integer(1)], removing: ["source_id"])
        let problems = Self.problems(body, path: "events[2].")
        #expect(Set(problems.map(\.field)) == ["events[2].event_type", "events[2].source_id", "events[2].junk"])
    }

    @Test(arguments: [(JSONValue.array([]), "array"), (.string("x"), "string"), (.null, "null"), (.integer(3), "number")])
    func aBodyMustBeAnObject(body: JSONValue, typeName: String) {
        #expect(Self.problems(body) == [FieldProblem(field: "(body)", detail: "must be a JSON object, not \(typeName)")])
        #expect(Self.problems(body, path: "events[7].") == [FieldProblem(field: "events[7]", detail: "must be a JSON object, not \(typeName)")])
    }
}
