import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeSQLite
import NIOCore
import IntakeTestSupport
import Testing

/// `POST /v2/event`, `POST /v2/affiliate_event` and `POST /v2/events`: validation, problem documents,
/// body limits, batches and idempotency.
@Suite("Event ingest")
struct EventIngestTests {
    static let valid = #"{"event_type":"lead","event_name":"signup","source_id":"form-1","fields":{"email":"a@example.com"}}"#

    /// `valid` with one top-level member replaced (or removed, when `value` is nil).
    static func event(replacing name: String, with value: String?) -> String {
        var members: [(String, String)] = [
            ("event_type", #""lead""#), ("event_name", #""signup""#), ("source_id", #""form-1""#),
            ("fields", #"{"email":"a@example.com"}"#),
        ]
        if let index = members.firstIndex(where: { $0.0 == name }) {
            if let value { members[index].1 = value } else { members.remove(at: index) }
        } else if let value {
            members.append((name, value))
        }
        return "{" + members.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
    }

    // MARK: Accepted events

    @Test("A valid event is 201 {\"id\", \"received_at\"}")
    func validEvent() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let response = try await server.post("/v2/event", json: Self.valid, token: token)
            #expect(response.status == .created, "\(response.text)")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try response.json()
            #expect(Set(body.object?.keys.map { $0 } ?? []) == ["id", "received_at"])
            let id = try #require(body["id"]?.integer)
            #expect(id > 0)
            let receivedAt = try #require(body["received_at"]?.string)
            let millis = try #require(Timestamp.parse(receivedAt), "received_at \(receivedAt) is not ISO 8601")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            #expect(abs(now - millis) < 60_000)

            let second = try await server.post("/v2/event", json: Self.valid, token: token)
            #expect(second.status == .created)
            #expect(try #require(try second.json()["id"]?.integer) != id)
        }
    }

    @Test("Every optional field is accepted")
    func allOptionalFields() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let body = #"""
                {"event_type":"conversion","event_name":"purchase","source_id":"shop","fields":{"total":12.5,"items":[1,2],"vip":true,"note":null,"nested":{"a":{"b":"c"}}},
                 "event_id":"e-1","person_id":"p-1","ga_client_id":"123.456","created_at":"2019-12-02T10:00:00.000Z"}
                """#
            let response = try await server.post("/v2/event", json: body, token: token)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    @Test("Each event type is accepted", arguments: ["lead", "conversion", "action"])
    func eventTypes(type: String) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let response = try await server.post(
                "/v2/event", json: Self.event(replacing: "event_type", with: #""\#(type)""#), token: token)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    @Test(
        "created_at in ISO 8601 forms is accepted and read back in UTC",
        arguments: [
            ("2019-12-02T10:00:00.000Z", "2019-12-02T10:00:00.000Z"),
            ("2019-12-02T10:00:00Z", "2019-12-02T10:00:00.000Z"),
            ("2019-12-02T10:00:00.5Z", "2019-12-02T10:00:00.500Z"),
            ("2019-12-02T10:00:00+02:00", "2019-12-02T08:00:00.000Z"),
            ("2019-12-02T10:00:00.123+02:00", "2019-12-02T08:00:00.123Z"),
            ("2019-12-02T10:00:00-05:30", "2019-12-02T15:30:00.000Z"),
            ("2020-02-29T23:59:59.999Z", "2020-02-29T23:59:59.999Z"),
            ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ])
    func createdAtAccepted(text: String, utc: String) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let response = try await server.post(
                "/v2/event", json: Self.event(replacing: "created_at", with: #""\#(text)""#), token: token)
            #expect(response.status == .created, "\(response.text)")
            let events = try await server.allEvents(token: token)
            try #require(events.count == 1)
            #expect(events[0]["created_at"] == .string(utc))
        }
    }

    /// Microseconds (Python's `isoformat()`) and nanoseconds (Go's `RFC3339Nano`) are ISO 8601 too.
    /// Run in a child process: if the server crashes on them, this test fails instead of taking the
    /// whole test run down.
    @Test(
        "created_at with 4 to 9 fraction digits is accepted (milliseconds kept), and the server survives it",
        arguments: [
            ("2019-12-02T10:00:00.1234Z", "2019-12-02T10:00:00.123Z"),
            ("2019-12-02T10:00:00.123456Z", "2019-12-02T10:00:00.123Z"),
            ("2019-12-02T10:00:00.123456789Z", "2019-12-02T10:00:00.123Z"),
            ("2019-12-02T12:00:00.000000+02:00", "2019-12-02T10:00:00.000Z"),
        ])
    func createdAtWithManyFractionDigits(text: String, utc: String) async throws {
        // The directory is made and removed here, so that it goes even when the child process crashes.
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("intake.sqlite").path
            await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) { [text, utc, path = path as String] in
                try await TestServer.run(databasePath: path) { server in
                let token = try await server.token(for: try await server.registerReaderWriter())
                let response = try await server.post(
                    "/v2/event", json: EventIngestTests.event(replacing: "created_at", with: #""\#(text)""#),
                    token: token)
                precondition(response.status == .created, "POST created_at \(text): \(response.status) \(response.text)")
                let events = try await server.allEvents(token: token)
                precondition(events.count == 1 && events[0]["created_at"] == .string(utc), "read back \(events)")
                }
            }
        }
    }

    @Test("Without created_at the event is dated when it was received")
    func createdAtDefaultsToReceipt() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            #expect(try await server.post("/v2/event", json: Self.valid, token: token).status == .created)
            let events = try await server.allEvents(token: token)
            try #require(events.count == 1)
            let createdAt = try #require(events[0]["created_at"]?.string.flatMap { Timestamp.parse($0) })
            let receivedAt = try #require(events[0]["received_at"]?.string.flatMap { Timestamp.parse($0) })
            #expect(abs(createdAt - receivedAt) < 5_000)
        }
    }

    @Test("fields nested exactly 8 levels deep are accepted")
    func deepestFields() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            var value = #""leaf""#
            for level in 0..<7 { value = #"{"l\#(level)":\#(value)}"# }
            let response = try await server.post(
                "/v2/event", json: Self.event(replacing: "fields", with: #"{"top":\#(value)}"#), token: token)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    @Test("Pathologically nested JSON is a 4xx, and the server keeps serving")
    func pathologicalNesting() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let arrays = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            let response = try await server.post("/v2/event", json: arrays, token: token)
            try expectProblem(response, status: nil)
            let inFields = Self.event(
                replacing: "fields",
                with: #"{"a":"# + String(repeating: "[", count: 400) + String(repeating: "]", count: 400) + "}")
            let nested = try await server.post("/v2/event", json: inFields, token: token)
            try expectProblem(nested, status: nil)
            #expect(try await server.post("/v2/event", json: Self.valid, token: token).status == .created)
        }
    }

    @Test("A string of exactly 256 characters is accepted")
    func longestString() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let name = String(repeating: "n", count: 256)
            let response = try await server.post(
                "/v2/event", json: Self.event(replacing: "event_name", with: #""\#(name)""#), token: token)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    // MARK: Validation

    /// `POST /v2/event` of ``valid`` with one `Content-Type` field per element of `contentTypes`.
    static func post(_ server: TestServer, contentTypes: [String], token: String) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        for value in contentTypes { headers.append(HTTPField(name: .contentType, value: value)) }
        return try await server.request(.post, "/v2/event", headers: headers, body: Self.valid)
    }

    @Test(
        "Two Content-Type fields are 415 when they contradict or repeat a JSON one",
        arguments: [["application/json", "text/plain"], ["application/json", "application/json"]])
    func twoContentTypes(contentTypes: [String]) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            try expectProblem(try await Self.post(server, contentTypes: contentTypes, token: token), status: .unsupportedMediaType)
        }
    }

    @Test(
        "Control: JSON media types with parameters, in any case, are accepted",
        arguments: ["Application/JSON; charset=utf-8", "application/vnd.acme+json"])
    func acceptedContentTypes(contentType: String) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let response = try await Self.post(server, contentTypes: [contentType], token: token)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var label: String
        var body: String
        var field: String
        var testDescription: String { label }
    }

    static let deepFields: String = {
        var value = #""leaf""#
        for level in 0..<9 { value = #"{"l\#(level)":\#(value)}"# }
        return value
    }()

    static let invalidCases: [InvalidCase] = [
        .init(label: "missing event_type", body: event(replacing: "event_type", with: nil), field: "event_type"),
        .init(label: "empty event_type", body: event(replacing: "event_type", with: #""""#), field: "event_type"),
        .init(label: "null event_type", body: event(replacing: "event_type", with: "null"), field: "event_type"),
        .init(label: "event_type purchase", body: event(replacing: "event_type", with: #""purchase""#), field: "event_type"),
        .init(label: "event_type Lead", body: event(replacing: "event_type", with: #""Lead""#), field: "event_type"),
        .init(label: "event_type number", body: event(replacing: "event_type", with: "1"), field: "event_type"),
        .init(label: "missing event_name", body: event(replacing: "event_name", with: nil), field: "event_name"),
        .init(label: "empty event_name", body: event(replacing: "event_name", with: #""""#), field: "event_name"),
        .init(label: "event_name array", body: event(replacing: "event_name", with: #"["a"]"#), field: "event_name"),
        .init(label: "missing source_id", body: event(replacing: "source_id", with: nil), field: "source_id"),
        .init(label: "empty source_id", body: event(replacing: "source_id", with: #""""#), field: "source_id"),
        .init(label: "source_id number", body: event(replacing: "source_id", with: "42"), field: "source_id"),
        .init(label: "missing fields", body: event(replacing: "fields", with: nil), field: "fields"),
        .init(label: "null fields", body: event(replacing: "fields", with: "null"), field: "fields"),
        .init(label: "fields string", body: event(replacing: "fields", with: #""email=a@example.com""#), field: "fields"),
        .init(label: "fields array", body: event(replacing: "fields", with: #"[{"email":"a"}]"#), field: "fields"),
        .init(label: "fields too deep", body: event(replacing: "fields", with: deepFields), field: "fields"),
        .init(label: "created_at prose", body: event(replacing: "created_at", with: #""yesterday""#), field: "created_at"),
        .init(label: "created_at month 13", body: event(replacing: "created_at", with: #""2019-13-02T10:00:00Z""#), field: "created_at"),
        .init(label: "created_at no zone", body: event(replacing: "created_at", with: #""2019-12-02T10:00:00""#), field: "created_at"),
        .init(label: "created_at number", body: event(replacing: "created_at", with: "1575280800000"), field: "created_at"),
        .init(label: "created_at empty", body: event(replacing: "created_at", with: #""""#), field: "created_at"),
        .init(label: "created_at 29 Feb 2019", body: event(replacing: "created_at", with: #""2019-02-29T10:00:00Z""#), field: "created_at"),
        .init(label: "created_at date only", body: event(replacing: "created_at", with: #""2019-12-02""#), field: "created_at"),
        .init(
            label: "fields with over 1000 values",
            body: event(replacing: "fields", with: "{" + (0..<1001).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + "}"),
            field: "fields"),
        .init(
            label: "fields key over 256", body: event(replacing: "fields", with: #"{"\#(String(repeating: "k", count: 257))":1}"#),
            field: "fields"),
        .init(label: "fields empty key", body: event(replacing: "fields", with: #"{"":1}"#), field: "fields"),
        .init(
            label: "event_name over 256", body: event(replacing: "event_name", with: #""\#(String(repeating: "n", count: 257))""#),
            field: "event_name"),
        .init(
            label: "source_id over 256", body: event(replacing: "source_id", with: #""\#(String(repeating: "s", count: 300))""#),
            field: "source_id"),
        .init(
            label: "event_id over 256", body: event(replacing: "event_id", with: #""\#(String(repeating: "e", count: 257))""#),
            field: "event_id"),
        .init(label: "person_id number", body: event(replacing: "person_id", with: "7"), field: "person_id"),
        .init(label: "ga_client_id object", body: event(replacing: "ga_client_id", with: "{}"), field: "ga_client_id"),
        .init(label: "unknown top-level field", body: event(replacing: "email", with: #""a@example.com""#), field: "email"),
        .init(label: "misspelt field", body: event(replacing: "eventType", with: #""lead""#), field: "eventType"),
    ]

    @Test("Each validation rule is 422 problem+json naming the field", arguments: invalidCases)
    func invalidEvent(invalid: InvalidCase) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let response = try await server.post("/v2/event", json: invalid.body, token: token)
            try expectProblem(response, status: .unprocessableContent)
            #expect(try response.json().problemFields.contains(invalid.field), "\(response.text)")
            #expect(try await server.allEvents(token: token).isEmpty)
        }
    }

    @Test("Several bad fields are all named")
    func severalBadFields() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let body = #"{"event_type":"purchase","source_id":"","fields":[],"created_at":"soon","colour":"red"}"#
            let response = try await server.post("/v2/event", json: body, token: token)
            try expectProblem(response, status: .unprocessableContent)
            let fields = Set(try response.json().problemFields)
            #expect(fields.isSuperset(of: ["event_type", "event_name", "source_id", "fields", "created_at", "colour"]), "\(fields)")
        }
    }

    @Test("Malformed JSON is 400 problem+json", arguments: [#"{"event_type":"lead""#, "not json", #"{"a":}"#, ""])
    func malformedJSON(body: String) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let response = try await server.post("/v2/event", json: body, token: token)
            try expectProblem(response, status: .badRequest)
        }
    }

    @Test("A body that is not UTF-8 is 400 problem+json")
    func notUTF8() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let bytes = Array(#"{"event_type":"lead","event_name":""#.utf8) + [0xFF, 0xFE, 0xC3, 0x28]
                + Array(#"","source_id":"s","fields":{}}"#.utf8)
            let response = try await server.request(
                .post, "/v2/event", headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                bytes: bytes)
            try expectProblem(response, status: .badRequest)
        }
    }

    @Test("JSON that is not an object is a 4xx problem", arguments: ["[]", #"[\#(valid)]"#, #""lead""#, "42", "null", "true"])
    func nonObjectJSON(body: String) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let response = try await server.post("/v2/event", json: body, token: token)
            try expectProblem(response, status: nil)
        }
    }

    @Test("A body that is not JSON by its content type is 415")
    func wrongMediaType() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let response = try await server.post(
                "/v2/event", json: Self.valid, token: token, headers: [.contentType: "text/plain"])
            try expectProblem(response, status: .unsupportedMediaType)
        }
    }

    @Test("A body over the configured limit is 413; one under it is accepted")
    func bodyOverLimit() async throws {
        try await TestServer.run(maximumBodySize: 4096) { server in
            let token = try await server.token(for: try await server.register())
            let padding = String(repeating: "x", count: 250)
            let fitting = Self.event(
                replacing: "fields", with: "{" + (0..<12).map { #""k\#($0)":"\#(padding)""# }.joined(separator: ",") + "}")
            #expect(fitting.utf8.count < 4096)
            let accepted = try await server.post("/v2/event", json: fitting, token: token)
            #expect(accepted.status == .created, "\(accepted.text)")

            let big = Self.event(
                replacing: "fields", with: "{" + (0..<20).map { #""k\#($0)":"\#(padding)""# }.joined(separator: ",") + "}")
            #expect(big.utf8.count > 4096)
            for path in ["/v2/event", "/v2/events"] {
                let body = path == "/v2/events" ? #"{"events":[\#(big)]}"# : big
                let response = try await server.requestOnItsOwnConnection(
                    .post, path, headers: [.contentType: "application/json", .authorization: "Bearer \(token)"], body: body)
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.connection] == "close")
            }
            // Other connections are unaffected.
            #expect(try await server.post("/v2/event", json: Self.valid, token: token).status == .created)
        }
    }

    @Test("The default body limit is 1 MiB")
    func defaultBodyLimit() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let under = Self.event(replacing: "fields", with: #"{"blob":"\#(String(repeating: "x", count: 1_000_000))"}"#)
            #expect(under.utf8.count < 1 << 20)
            let accepted = try await server.post("/v2/event", json: under, token: token)
            #expect(accepted.status == .created, "\(accepted.status)")
            let over = Self.event(replacing: "fields", with: #"{"blob":"\#(String(repeating: "x", count: 1 << 20))"}"#)
            let refused = try await server.post("/v2/event", json: over, token: token)
            try expectProblem(refused, status: .contentTooLarge)
        }
    }

    // MARK: Affiliate events

    @Test("An affiliate event needs affiliate_id")
    func affiliateEvent() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let missing = try await server.post("/v2/affiliate_event", json: Self.valid, token: token)
            try expectProblem(missing, status: .unprocessableContent)
            #expect(try missing.json().problemFields == ["affiliate_id"])
            let empty = try await server.post(
                "/v2/affiliate_event", json: Self.event(replacing: "affiliate_id", with: #""""#), token: token)
            try expectProblem(empty, status: .unprocessableContent)
            #expect(try empty.json().problemFields == ["affiliate_id"])

            let body = Self.event(replacing: "affiliate_id", with: #""aff-9""#)
            let accepted = try await server.post("/v2/affiliate_event", json: body, token: token)
            #expect(accepted.status == .created, "\(accepted.text)")
            let events = try await server.allEvents(token: token)
            try #require(events.count == 1)
            #expect(events[0]["affiliate_id"] == .string("aff-9"))
        }
    }

    // MARK: Batches

    @Test("A batch with valid and invalid events stores the valid ones and reports each item")
    func mixedBatch() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let batch = #"""
                {"events":[
                  {"event_type":"lead","event_name":"a","source_id":"s","fields":{}},
                  {"event_type":"purchase","event_name":"b","source_id":"s","fields":{}},
                  {"event_type":"action","event_name":"c","source_id":"s","fields":{"x":1}},
                  "not an event",
                  {"event_type":"conversion","source_id":"s","fields":{}}
                ]}
                """#
            let response = try await server.post("/v2/events", json: batch, token: token)
            #expect(response.status == .ok, "\(response.text)")
            let body = try response.json()
            #expect(body["stored"] == .integer(2))
            #expect(body["failed"] == .integer(3))
            let results = try #require(body["results"]?.array)
            try #require(results.count == 5)
            for (index, result) in results.enumerated() {
                #expect(result["index"] == .integer(Int64(index)))
            }
            #expect(results.map { $0["status"] } == [.integer(201), .integer(422), .integer(201), .integer(422), .integer(422)])
            let firstID = try #require(results[0]["id"]?.integer)
            let thirdID = try #require(results[2]["id"]?.integer)
            #expect(firstID < thirdID)
            #expect(results[0]["received_at"]?.string.flatMap { Timestamp.parse($0) } != nil)
            #expect(results[1].problemFields == ["events[1].event_type"])
            #expect(results[3].problemFields == ["events[3]"])
            #expect(results[4].problemFields == ["events[4].event_name"])
            #expect(results[1]["id"] == nil)

            let stored = try await server.allEvents(token: token)
            #expect(stored.compactMap { $0["event_name"]?.string } == ["a", "c"])
            #expect(stored.compactMap { $0["id"]?.integer } == [firstID, thirdID])
        }
    }

    @Test("A batch of 0 or 501 events is 422 naming events", arguments: [0, 501])
    func batchSizeOutOfRange(count: Int) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let body = #"{"events":["# + Array(repeating: Self.valid, count: count).joined(separator: ",") + "]}"
            let response = try await server.post("/v2/events", json: body, token: token)
            try expectProblem(response, status: .unprocessableContent)
            #expect(try response.json().problemFields == ["events"])
            #expect(try await server.allEvents(token: token).isEmpty)
        }
    }

    @Test("A batch of 500 events is stored")
    func largestBatch() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let body = #"{"events":["# + Array(repeating: Self.valid, count: 500).joined(separator: ",") + "]}"
            let response = try await server.post("/v2/events", json: body, token: token)
            #expect(response.status == .ok, "\(response.text)")
            #expect(try response.json()["stored"] == .integer(500))
            #expect(try await server.allEvents(token: token).count == 500)
        }
    }

    @Test("A batch body that is not {\"events\": […]} is 400 naming events", arguments: [valid, "[]", #"{"events":{}}"#, #"{"event":[]}"#])
    func batchWithoutEnvelope(body: String) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let response = try await server.post("/v2/events", json: body, token: token)
            try expectProblem(response, status: .badRequest)
            #expect(try response.json().problemFields == ["events"])
        }
    }

    // MARK: Idempotency

    @Test("The same Idempotency-Key with the same body replays the first answer and stores nothing new")
    func idempotentReplay() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let first = try await server.post(
                "/v2/event", json: Self.valid, token: token, headers: [.idempotencyKey: "order-42"])
            #expect(first.status == .created, "\(first.text)")
            #expect(first.headers[.idempotentReplayed] == nil)
            for _ in 0..<2 {
                let repeated = try await server.post(
                    "/v2/event", json: Self.valid, token: token, headers: [.idempotencyKey: "order-42"])
                #expect(repeated.status == first.status)
                #expect(repeated.bytes == first.bytes)
                #expect(repeated.headers[.idempotentReplayed] == "true")
            }
            let stored = try await server.allEvents(token: token)
            #expect(stored.count == 1)
            #expect(stored.first?["id"] == (try first.json()["id"]))

            // Another key is another request.
            let other = try await server.post(
                "/v2/event", json: Self.valid, token: token, headers: [.idempotencyKey: "order-43"])
            #expect(other.status == .created)
            #expect(other.headers[.idempotentReplayed] == nil)
            #expect(try await server.allEvents(token: token).count == 2)
        }
    }

    @Test("Concurrent requests with one Idempotency-Key store one event and all get its answer (or 409)")
    func concurrentSameKey() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let request = TestClient.Request(
                "/v2/event", method: .post, authority: "localhost",
                headers: [.contentType: "application/json", .authorization: "Bearer \(token)", .idempotencyKey: "race-1"],
                body: ByteBuffer(string: Self.valid))
            let responses = try await withThrowingTaskGroup(of: TestClient.Response.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await server.withExtraConnection { try await $0.execute(request) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let answered = responses.filter { $0.status != .conflict }
            #expect(responses.allSatisfy { $0.status == .created || $0.status == .conflict })
            try #require(!answered.isEmpty)
            let bodies = Set(answered.map { $0.body.map { String(buffer: $0) } ?? "" })
            #expect(bodies.count == 1, "\(bodies)")
            #expect(answered.filter { $0.headers[.idempotentReplayed] == nil }.count == 1)
            #expect(try await server.allEvents(token: token).count == 1)
        }
    }

    @Test("A quoted (sf-string) key is the same key as the bare one")
    func quotedKey() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let first = try await server.post(
                "/v2/event", json: Self.valid, token: token, headers: [.idempotencyKey: #""k-1""#])
            #expect(first.status == .created)
            let again = try await server.post("/v2/event", json: Self.valid, token: token, headers: [.idempotencyKey: "k-1"])
            #expect(again.bytes == first.bytes)
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(try await server.allEvents(token: token).count == 1)
        }
    }

    @Test("A batch with an Idempotency-Key is replayed whole")
    func idempotentBatch() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let body = #"{"events":[\#(Self.valid),\#(Self.valid)]}"#
            let first = try await server.post("/v2/events", json: body, token: token, headers: [.idempotencyKey: "batch-1"])
            #expect(first.status == .ok)
            let again = try await server.post("/v2/events", json: body, token: token, headers: [.idempotencyKey: "batch-1"])
            #expect(again.status == first.status)
            #expect(again.bytes == first.bytes)
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(try await server.allEvents(token: token).count == 2)
        }
    }

    @Test("The same Idempotency-Key with another body, or on another endpoint, is 422")
    func keyReusedWithOtherBody() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let first = try await server.post("/v2/event", json: Self.valid, token: token, headers: [.idempotencyKey: "k"])
            #expect(first.status == .created)
            let changed = Self.event(replacing: "event_name", with: #""other""#)
            let reused = try await server.post("/v2/event", json: changed, token: token, headers: [.idempotencyKey: "k"])
            try expectProblem(reused, status: .unprocessableContent)
            #expect(reused.headers[.idempotentReplayed] == nil)
            let otherPath = try await server.post(
                "/v2/events", json: #"{"events":[\#(Self.valid)]}"#, token: token, headers: [.idempotencyKey: "k"])
            try expectProblem(otherPath, status: .unprocessableContent)
            #expect(try await server.allEvents(token: token).count == 1)
        }
    }

    @Test("Idempotency keys belong to one client: another client's same key is a new request")
    func keysAreScopedToTheClient() async throws {
        try await TestServer.run { server in
            let firstClient = try await server.registerReaderWriter()
            let secondClient = try await server.register(name: "second")
            let firstToken = try await server.token(for: firstClient)
            let secondToken = try await server.token(for: secondClient)
            let first = try await server.post("/v2/event", json: Self.valid, token: firstToken, headers: [.idempotencyKey: "shared"])
            let second = try await server.post("/v2/event", json: Self.valid, token: secondToken, headers: [.idempotencyKey: "shared"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.headers[.idempotentReplayed] == nil)
            #expect(second.bytes != first.bytes)
            #expect(try await server.allEvents(token: firstToken).count == 2)
        }
    }

    @Test("An Idempotency-Key longer than 255 characters, empty or with spaces is 400; 255 is fine")
    func badIdempotencyKey() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            for key in [String(repeating: "k", count: 256), #""""#, "two words"] {
                let response = try await server.post("/v2/event", json: Self.valid, token: token, headers: [.idempotencyKey: key])
                try expectProblem(response, status: .badRequest)
            }
            var twoKeys: HTTPFields = [:]
            twoKeys.append(HTTPField(name: .idempotencyKey, value: "a"))
            twoKeys.append(HTTPField(name: .idempotencyKey, value: "b"))
            try expectProblem(try await server.post("/v2/event", json: Self.valid, token: token, headers: twoKeys), status: .badRequest)
            #expect(try await server.allEvents(token: token).isEmpty)
            let longest = try await server.post(
                "/v2/event", json: Self.valid, token: token, headers: [.idempotencyKey: String(repeating: "k", count: 255)])
            #expect(longest.status == .created, "\(longest.text)")
        }
    }
}

/// An RFC 9457 problem answer: status (any 4xx when nil), `application/problem+json`, and the
/// members `type`, `title`, `status`, `detail`.
func expectProblem(
    _ response: TestResponse, status: HTTPResponse.Status?, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    if let status {
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    } else {
        #expect((400..<500).contains(response.status.code), "got \(response.status): \(response.text)", sourceLocation: sourceLocation)
    }
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let body = try #require(try? response.json(), "not JSON: \(response.text)", sourceLocation: sourceLocation)
    #expect(body["type"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(body["title"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(body["status"] == .integer(Int64(response.status.code)), sourceLocation: sourceLocation)
    #expect(body["detail"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
}
