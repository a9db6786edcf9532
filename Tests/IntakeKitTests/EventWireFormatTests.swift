import AsyncHTTPClient
import Foundation
import HTTPTypes
import IntakeKit
import IntakeModel
import NIOCore
import Testing

/// What ``IntakeClient`` puts on the wire for a send, seen by a stub server.
@Suite struct EventWireFormatTests {
    @Test func aSendIsSortedCompactJSONWithAFreshTimeOrderedKey() async throws {
        try await StubServer.with { seen in
            if seen.path == "/oauth2/token" { return .token("token") }
            return .json(201, #"{"id": \#(seen.number), "received_at": "2026-11-29T10:00:00.000Z"}"#)
        } body: { stub in
            try await withHTTPClient { http in
                let client = stub.client(http: http)
                let event = Event(
                    type: .conversion, name: "purchase", sourceID: "shop",
                    fields: ["z": .integer(1), "a": .object(["y": .bool(true), "b": .null]), "quote": .string("say \"hi\"")],
                    eventID: "e-1", createdAt: "2026-11-29T09:59:59.000Z")
                let first = try await client.send(event)
                let second = try await client.send(event)
                #expect(first.receivedAt == "2026-11-29T10:00:00.000Z")
                #expect(second.id == first.id + 1)

                let sends = stub.requests.filter { $0.path == "/v2/event" }
                try #require(sends.count == 2)
                let expected = #"{"created_at":"2026-11-29T09:59:59.000Z","event_id":"e-1","event_name":"purchase","event_type":"conversion","fields":{"a":{"b":null,"y":true},"quote":"say \"hi\"","z":1},"source_id":"shop"}"#
                #expect(sends.map { String(buffer: $0.body) } == [expected, expected])
                #expect(sends.allSatisfy { $0.headers[.contentType] == "application/json" })
                let keys = sends.compactMap { $0.headers[.init("Idempotency-Key")!] }
                #expect(keys.count == 2 && keys[0] != keys[1])
            }
        }
    }

    @Test func anAffiliateEventGoesToTheAffiliateEndpoint() async throws {
        try await StubServer.with { seen in
            if seen.path == "/oauth2/token" { return .token("token") }
            return .json(201, #"{"id": 7, "received_at": "2026-11-29T10:00:00.000Z"}"#)
        } body: { stub in
            try await withHTTPClient { http in
                let client = stub.client(http: http)
                _ = try await client.send(Event(type: .lead, name: "signup", sourceID: "partner", affiliateID: "aff-9"))
                #expect(stub.requests.map(\.path) == ["/oauth2/token", "/v2/affiliate_event"])
                #expect(String(buffer: stub.requests[1].body).contains(#""affiliate_id":"aff-9""#))
            }
        }
    }

    @Test func aReceiptThatIsNotOneIsAnUnexpectedResponse() async throws {
        try await StubServer.with { seen in
            if seen.path == "/oauth2/token" { return .token("token") }
            return .json(201, #"{"id": "seven"}"#)
        } body: { stub in
            try await withHTTPClient { http in
                let client = stub.client(http: http)
                await #expect(throws: IntakeError.self) {
                    try await client.send(Event(type: .lead, name: "signup", sourceID: "web"))
                }
            }
        }
    }

    @Test func idempotencyKeysAreVersion7UUIDsInTimeOrder() async throws {
        var keys: [String] = []
        for _ in 0..<3 {
            keys.append(IntakeClient.makeIdempotencyKey())
            try await Task.sleep(for: .milliseconds(2))
        }
        for key in keys {
            let uuid = try #require(UUID(uuidString: key))
            #expect(key == key.lowercased())
            #expect(uuid.uuid.6 >> 4 == 7)           // version
            #expect(uuid.uuid.8 >> 6 == 0b10)        // RFC 9562 variant
        }
        // Keys made milliseconds apart sort in the order they were made.
        #expect(keys == keys.sorted())
        let milliseconds = try #require(UInt64(keys[0].replacingOccurrences(of: "-", with: "").prefix(12), radix: 16))
        #expect(abs(Double(milliseconds) - Date().timeIntervalSince1970 * 1000) < 60_000)
        #expect(Set((0..<1000).map { _ in IntakeClient.makeIdempotencyKey() }).count == 1000)
    }
}

@Suite struct EventCreatedAtTests {
    @Test func aDateIsSentAsISO8601WithMillisecondsInUTC() {
        let event = Event(type: .lead, name: "n", sourceID: "s", createdAt: Date(timeIntervalSince1970: 1_575_280_800.25))
        #expect(event.createdAt == "2019-12-02T10:00:00.250Z")
    }
}

@Suite struct IntakeErrorTests {
    @Test func errorsAreMatchedByCodeAndCarryTheirDetails() {
        let error = IntakeError.rejected(status: 422, detail: "The event has 1 invalid field", fieldErrors: ["event_type is required"])
        #expect(error.code == .rejected)
        #expect(error.code != .unavailable)
        #expect(error.status == 422)
        #expect(error.fieldErrors == ["event_type is required"])
        #expect(error.description == "refused (422): The event has 1 invalid field: event_type is required")
        #expect(IntakeError.unavailable(attempts: 3, lastFailure: "HTTP 503").attempts == 3)
        #expect(IntakeError.Code.invalidCredentials.description == "invalidCredentials")
    }
}
