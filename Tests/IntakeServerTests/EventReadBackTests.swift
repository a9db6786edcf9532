import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeServer
import NIOCore
import IntakeTestSupport
import Testing

/// `GET /v2/events`: the caller's account, oldest first, as sent, paginated and filtered.
@Suite("Event read-back")
struct EventReadBackTests {
    static func event(
        type: String = "lead", name: String, source: String = "form-1", createdAt: String? = nil,
        fields: String = "{}"
    ) -> String {
        var body = #"{"event_type":"\#(type)","event_name":"\#(name)","source_id":"\#(source)","fields":\#(fields)"#
        if let createdAt { body += #","created_at":"\#(createdAt)""# }
        return body + "}"
    }

    /// Posts `bodies` one by one; returns their ids.
    static func send(_ bodies: [String], server: TestServer, token: String) async throws -> [Int64] {
        var ids: [Int64] = []
        for body in bodies {
            let response = try await server.post("/v2/event", json: body, token: token)
            try #require(response.status == .created, "\(response.text)")
            ids.append(try #require(try response.json()["id"]?.integer))
        }
        return ids
    }

    @Test("Events come back oldest first, with the names and values they were sent with")
    func roundTrip() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let full = #"""
                {"event_type":"conversion","event_name":"purchase","source_id":"shop","event_id":"e-1","person_id":"p-1",
                 "ga_client_id":"123.456","created_at":"2019-12-02T10:00:00.000Z",
                 "fields":{"email":"a@example.com","total":12.5,"count":3,"big":9007199254740993,"vip":true,"note":null,
                           "items":[1,"two",{"three":3}],"nested":{"a":{"b":"c"}},"unicode":"é ✓ \"q\" /slash"}}
                """#
            let bodies = [Self.event(name: "first"), full, Self.event(type: "action", name: "third", source: "app")]
            let ids = try await Self.send(bodies, server: server, token: token)

            let response = try await server.get("/v2/events", token: token)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let page = try response.json()
            #expect(page["next_cursor"]?.isNull == true)
            let events = try #require(page["events"]?.array)
            try #require(events.count == 3)
            #expect(events.compactMap { $0["id"]?.integer } == ids)
            #expect(ids == ids.sorted())
            #expect(events.compactMap { $0["event_name"]?.string } == ["first", "purchase", "third"])

            let sent = try JSONValue.parse(full)
            let back = events[1]
            for name in ["event_type", "event_name", "source_id", "event_id", "person_id", "ga_client_id", "created_at", "fields"] {
                #expect(back[name] == sent[name], "\(name): \(String(describing: back[name]))")
            }
            #expect(back["received_at"]?.string.flatMap { Timestamp.parse($0) } != nil)
            let extra = Set(back.object?.keys.map { $0 } ?? []).subtracting(
                ["id", "received_at", "event_type", "event_name", "source_id", "fields", "event_id", "person_id",
                 "ga_client_id", "affiliate_id", "created_at"])
            #expect(extra.isEmpty, "unexpected members \(extra)")
            // Optional members that were not sent are absent or null, never invented.
            for name in ["event_id", "person_id", "ga_client_id", "affiliate_id"] {
                #expect(events[0][name] == nil || events[0][name] == .null, "\(name)")
            }
            #expect(events[2]["event_type"] == .string("action"))
            #expect(events[2]["source_id"] == .string("app"))
        }
    }

    @Test("The id and received_at of the 201 answer are those read back")
    func receiptMatchesReadBack() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let response = try await server.post("/v2/event", json: Self.event(name: "a"), token: token)
            #expect(response.status == .created)
            let receipt = try response.json()
            let events = try await server.allEvents(token: token)
            try #require(events.count == 1)
            #expect(events[0]["id"] == receipt["id"])
            #expect(events[0]["received_at"] == receipt["received_at"])
        }
    }

    @Test("Text with control characters, quotes and non-ASCII is stored exactly or refused, never cut short")
    func awkwardText() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let name = #"a\u0000b \"q\" \\ \n é ✓ 👍🏽"#
            let body = #"{"event_type":"lead","event_name":"\#(name)","source_id":"s","fields":{"k\u0000":"v\u0000w"}}"#
            let sent = try JSONValue.parse(body)
            let response = try await server.post("/v2/event", json: body, token: token)
            if response.status == .created {
                let events = try await server.allEvents(token: token)
                try #require(events.count == 1)
                #expect(events[0]["event_name"] == sent["event_name"], "\(String(describing: events[0]["event_name"]))")
                #expect(events[0]["fields"] == sent["fields"], "\(String(describing: events[0]["fields"]))")
            } else {
                try expectProblem(response, status: .unprocessableContent)
            }
        }
    }

    @Test("source_id filters match ids with reserved characters when percent-encoded")
    func sourceIDWithReservedCharacters() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let awkward = "shop/eu a+b&c=d?é"
            _ = try await Self.send(
                [Self.event(name: "x", source: awkward), Self.event(name: "y", source: "shop")], server: server,
                token: token)
            let names = try await server.allEvents(token: token, query: "source_id=\(formEncoded(awkward))")
                .compactMap { $0["event_name"]?.string }
            #expect(names == ["x"])
        }
    }

    @Test("next_cursor pages through the events with limit, and is null on the last page")
    func pagination() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let ids = try await Self.send((1...5).map { Self.event(name: "e\($0)") }, server: server, token: token)

            var seen: [Int64] = []
            var pages: [Int] = []
            var uri = "/v2/events?limit=2"
            for _ in 0..<10 {
                let response = try await server.get(uri, token: token)
                try #require(response.status == .ok, "\(response.text)")
                let page = try response.json()
                let events = try #require(page["events"]?.array)
                pages.append(events.count)
                seen += events.compactMap { $0["id"]?.integer }
                let cursor = try #require(page["next_cursor"])
                if cursor.isNull { break }
                let next = try #require(cursor.string ?? cursor.integer.map(String.init), "cursor \(cursor)")
                uri = "/v2/events?limit=2&after=\(formEncoded(next))"
            }
            #expect(pages == [2, 2, 1])
            #expect(seen == ids)
        }
    }

    @Test("A page that ends exactly at the last event says so with a null cursor, or leads to an empty last page")
    func exactPageBoundary() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            _ = try await Self.send((1...2).map { Self.event(name: "e\($0)") }, server: server, token: token)
            let page = try await server.get("/v2/events?limit=2", token: token).json()
            #expect(page["events"]?.array?.count == 2)
            #expect(page["next_cursor"]?.isNull == true)
        }
    }

    @Test("An empty account reads back an empty list with a null cursor")
    func emptyAccount() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let response = try await server.get("/v2/events", token: token)
            #expect(response.status == .ok)
            #expect(try response.json() == .object(["events": .array([]), "next_cursor": .null]))
        }
    }

    @Test("source_id and event_type filter, also across pages")
    func filters() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            _ = try await Self.send(
                [
                    Self.event(type: "lead", name: "a", source: "web"),
                    Self.event(type: "conversion", name: "b", source: "app"),
                    Self.event(type: "lead", name: "c", source: "app"),
                    Self.event(type: "action", name: "d", source: "web"),
                    Self.event(type: "lead", name: "e", source: "web"),
                ], server: server, token: token)
            func names(_ query: String) async throws -> [String] {
                try await server.allEvents(token: token, query: query).compactMap { $0["event_name"]?.string }
            }
            #expect(try await names("source_id=web") == ["a", "d", "e"])
            #expect(try await names("source_id=app") == ["b", "c"])
            #expect(try await names("source_id=none") == [])
            #expect(try await names("event_type=lead") == ["a", "c", "e"])
            #expect(try await names("event_type=lead&source_id=web") == ["a", "e"])

            // Filter plus pagination.
            let first = try await server.get("/v2/events?source_id=web&limit=2", token: token).json()
            #expect(first["events"]?.array?.compactMap { $0["event_name"]?.string } == ["a", "d"])
            let cursor = try #require(first["next_cursor"]?.string)
            let second = try await server.get("/v2/events?source_id=web&limit=2&after=\(cursor)", token: token).json()
            #expect(second["events"]?.array?.compactMap { $0["event_name"]?.string } == ["e"])
            #expect(second["next_cursor"]?.isNull == true)
        }
    }

    @Test("since (inclusive) and until (exclusive) filter on created_at")
    func timeFilters() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            _ = try await Self.send(
                [
                    Self.event(name: "nine", createdAt: "2019-12-02T09:00:00Z"),
                    Self.event(name: "ten", createdAt: "2019-12-02T10:00:00.000Z"),
                    Self.event(name: "eleven", createdAt: "2019-12-02T13:00:00+02:00"),
                    Self.event(name: "noon", createdAt: "2019-12-02T12:00:00Z"),
                ], server: server, token: token)
            func names(_ query: String) async throws -> [String] {
                try await server.allEvents(token: token, query: query).compactMap { $0["event_name"]?.string }
            }
            #expect(try await names("since=2019-12-02T10:00:00Z") == ["ten", "eleven", "noon"])
            #expect(try await names("until=2019-12-02T11:00:00Z") == ["nine", "ten"])
            #expect(try await names("since=2019-12-02T10:00:00Z&until=2019-12-02T12:00:00Z") == ["ten", "eleven"])
            // 12:00+02:00 is 10:00Z, with the offset sign percent-encoded or sent as it is.
            #expect(try await names("since=2019-12-02T12:00:00%2B02:00") == ["ten", "eleven", "noon"])
            #expect(try await names("since=2019-12-02T12:00:00+02:00") == ["ten", "eleven", "noon"])
            #expect(try await names("until=2019-12-02T05:00:00-06:00") == ["nine", "ten"])
            #expect(try await names("since=2019-12-03T00:00:00Z") == [])
        }
    }

    /// Run in a child process: if the server crashes on these, this test fails instead of taking the
    /// whole test run down.
    @Test(
        "since and until with 4 to 9 fraction digits filter like their milliseconds, and the server survives them",
        arguments: [
            ("since=2019-12-02T10:00:00.000001Z", ["noon"]),
            ("until=2019-12-02T10:00:00.0000001Z", ["ten"]),
            ("since=2019-12-02T10:00:00.123456789Z&until=2019-12-02T12:00:00.0001Z", ["noon"]),
        ])
    func timeFiltersWithManyFractionDigits(query: String, expected: [String]) async throws {
        // The directory is made and removed here, so that it goes even when the child process crashes.
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("intake.sqlite").path
            await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) { [query, expected, path = path as String] in
                try await TestServer.run(databasePath: path) { server in
                let token = try await server.token(for: try await server.registerReaderWriter())
                _ = try await EventReadBackTests.send(
                    [
                        EventReadBackTests.event(name: "ten", createdAt: "2019-12-02T10:00:00.000Z"),
                        EventReadBackTests.event(name: "noon", createdAt: "2019-12-02T12:00:00.000Z"),
                    ], server: server, token: token)
                let response = try await server.get("/v2/events?\(query)", token: token)
                precondition(response.status == .ok, "GET \(query): \(response.status) \(response.text)")
                let names = try response.json()["events"]?.array?.compactMap { $0["event_name"]?.string }
                precondition(names == expected, "GET \(query): \(String(describing: names))")
                }
            }
        }
    }

    @Test(
        "A bad query parameter is 400 naming it",
        arguments: [
            ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"),
            ("limit=", "limit"), ("after=-1", "after"), ("after=xyz", "after"), ("event_type=purchase", "event_type"),
            ("since=yesterday", "since"), ("until=2019-12-02", "until"), ("source_id=a%00b", "source_id"),
        ])
    func badQueryParameter(query: String, parameter: String) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let response = try await server.get("/v2/events?\(query)", token: token)
            try expectProblem(response, status: .badRequest)
            #expect(try response.json().problemFields.contains(parameter), "\(response.text)")
        }
    }

    @Test("limit accepts 1 and 1000")
    func limitBounds() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            _ = try await Self.send([Self.event(name: "a"), Self.event(name: "b")], server: server, token: token)
            let one = try await server.get("/v2/events?limit=1", token: token)
            #expect(one.status == .ok)
            #expect(try one.json()["events"]?.array?.count == 1)
            #expect(try one.json()["next_cursor"]?.isNull == false)
            let thousand = try await server.get("/v2/events?limit=1000", token: token)
            #expect(thousand.status == .ok)
            #expect(try thousand.json()["events"]?.array?.count == 2)
        }
    }

    @Test("Events of another account are not visible; another client of the same account sees them")
    func accounts() async throws {
        try await TestServer.run { server in
            let sender = try await server.register(name: "acme-sender", account: "acme")
            let acmeReader = try await server.register(name: "acme-reader", account: "acme", scopes: "events:read")
            let otherReader = try await server.registerReaderWriter(account: "globex")
            let senderToken = try await server.token(for: sender)
            let acmeToken = try await server.token(for: acmeReader)
            let otherToken = try await server.token(for: otherReader)

            let ids = try await Self.send(
                [Self.event(name: "acme-1"), Self.event(name: "acme-2")], server: server, token: senderToken)
            _ = try await Self.send([Self.event(name: "globex-1")], server: server, token: otherToken)

            let acme = try await server.allEvents(token: acmeToken)
            #expect(acme.compactMap { $0["id"]?.integer } == ids)
            #expect(acme.compactMap { $0["event_name"]?.string } == ["acme-1", "acme-2"])

            let globex = try await server.allEvents(token: otherToken)
            #expect(globex.compactMap { $0["event_name"]?.string } == ["globex-1"])
            // Not even by filter or cursor.
            #expect(try await server.allEvents(token: otherToken, query: "source_id=form-1").count == 1)
            let afterZero = try await server.get("/v2/events?after=0", token: otherToken).json()
            #expect(afterZero["events"]?.array?.compactMap { $0["event_name"]?.string } == ["globex-1"])
        }
    }

    @Test("A page of large events ends early with next_cursor: a read costs bounded memory")
    func largeEventsArePagedByWeight() async throws {
        try await TestServer.run(configure: { $0.maximumPageBytes = 64 << 10 }) { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let blob = String(repeating: "x", count: 20_000)
            for number in 0..<10 {
                let sent = try await server.post(
                    "/v2/event", json: #"{"event_type":"lead","event_name":"big-\#(number)","source_id":"s","fields":{"blob":"\#(blob)"}}"#,
                    token: token)
                #expect(sent.status == .created)
            }
            let first = try await server.get("/v2/events?limit=1000", token: token)
            #expect(first.status == .ok)
            #expect(first.body.readableBytes < (64 << 10) + 21_000, "a page of \(first.body.readableBytes) bytes")
            let page = try first.json()
            #expect(page["events"]?.array?.count == 4)
            #expect(page["next_cursor"]?.string != nil)
            let names = try await server.allEvents(token: token).compactMap { $0["event_name"]?.string }
            #expect(names == (0..<10).map { "big-\($0)" })
        }
    }
}
