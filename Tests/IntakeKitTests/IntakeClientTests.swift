import AsyncHTTPClient
import Foundation
import HTTPTypes
import IntakeCore
import IntakeKit
import IntakeModel
import NIOCore
import Testing

/// Sending and reading events through ``IntakeClient`` against a live server.
@Suite struct IntakeClientTests {
    @Test func newSigningKeyCausesOneRefreshAndOneReplay() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register()
            try await withHTTPClient { http in
                let tokens = TokenProvider(environment: server.environment, credentials: credentials, httpClient: http)
                let client = IntakeClient(tokens: tokens, httpClient: http)
                let source = "new-key-\(UUID().uuidString)"
                _ = try await client.send(sampleEvent(source, number: 0))
                let before = try await tokens.token()
                #expect(tokens.tokensFetched == 1)
                #expect(client.retries == 0)

                try await server.restart(signingKey: SigningKey.generate())
                _ = try await client.send(sampleEvent(source, number: 1))
                // One refresh: the 401 dropped the token once and the replay succeeded (a second 401
                // would have failed the send). A keep-alive connection the restart closed may add a
                // network retry before the 401, so retries are at least one, not exactly one.
                #expect(tokens.tokensFetched == 2)
                #expect(client.retries >= 1)
                #expect(try await tokens.token() != before)

                let events = try await allEvents(client, IntakeKit.EventQuery(sourceID: source))
                #expect(events.map(\.event.eventID) == ["\(source)-0", "\(source)-1"])
            }
        }
    }

    @Test func restartWithTheSameKeyKeepsTheToken() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register()
            try await withHTTPClient { http in
                let tokens = TokenProvider(environment: server.environment, credentials: credentials, httpClient: http)
                let client = IntakeClient(
                    tokens: tokens, httpClient: http, configuration: .init(retry: patientRetry))
                _ = try await client.send(sampleEvent("same-key", number: 0))
                try await server.restart()
                _ = try await client.send(sampleEvent("same-key", number: 1))
                #expect(tokens.tokensFetched == 1)
            }
        }
    }

    @Test func aStaleTokenIsReplayedOnlyOnce() async throws {
        let challenge = #"Bearer realm="intake", error="invalid_token", error_description="The access token is invalid""#
        try await StubServer.with { seen in
            if seen.path == "/oauth2/token" { return .token("token-\(seen.number)") }
            return .json(401, #"{"title": "Unauthorized", "detail": "The access token is invalid"}"#, headers: [("WWW-Authenticate", challenge)])
        } body: { stub in
            try await withHTTPClient { http in
                let tokens = stub.tokens(http: http)
                let client = IntakeClient(tokens: tokens, httpClient: http)
                await #expect(throws: IntakeError.rejected(status: 401, detail: "The access token is invalid", fieldErrors: [])) {
                    try await client.send(sampleEvent("stale", number: 0))
                }
                #expect(stub.count("/oauth2/token") == 2)
                #expect(stub.count("/v2/event") == 2)
                #expect(tokens.tokensFetched == 2)
                #expect(client.retries == 1)
                let bearers = stub.requests.filter { $0.path == "/v2/event" }.map { $0.headers[.authorization] }
                #expect(bearers == ["Bearer token-1", "Bearer token-3"])
            }
        }
    }

    @Test func eventsArePagedOldestFirstAndFiltered() async throws {
        try await LiveServer.with { server in
            let account = "paging-\(UUID().uuidString)"
            let credentials = try await server.register(account: account)
            try await withHTTPClient { http in
                let client = server.client(credentials, http: http)
                let plan: [(source: String, type: EventType)] = [
                    ("a", .lead), ("b", .conversion), ("a", .lead), ("a", .action), ("b", .conversion), ("a", .lead),
                    ("a", .lead),
                ]
                var sentIDs: [Int64] = []
                for (number, item) in plan.enumerated() {
                    var event = sampleEvent(item.source, number: number, type: item.type)
                    event.personID = "person-\(number)"
                    sentIDs.append(try await client.send(event).id)
                }

                var pages: [EventPage] = []
                var query = IntakeKit.EventQuery(limit: 3)
                while true {
                    let page = try await client.events(query)
                    pages.append(page)
                    guard let next = page.nextCursor, pages.count < 10 else { break }
                    query.after = next
                }
                #expect(pages.map(\.events.count) == [3, 3, 1])
                #expect(pages.last?.nextCursor == nil)
                let events = pages.flatMap(\.events)
                #expect(events.map(\.id) == sentIDs)
                #expect(events.map(\.event.eventID) == plan.indices.map { "\(plan[$0].source)-\($0)" })
                let first = try #require(events.first)
                #expect(first.event.eventType == .lead)
                #expect(first.event.eventName == "signup")
                #expect(first.event.sourceID == "a")
                #expect(first.event.personID == "person-0")
                #expect(first.event.fields == ["email": .string("n0@example.com"), "n": .integer(0)])
                #expect(!first.receivedAt.isEmpty)

                let fromA = try await allEvents(client, IntakeKit.EventQuery(sourceID: "a"))
                #expect(fromA.map(\.id) == [0, 2, 3, 5, 6].map { sentIDs[$0] })
                let conversions = try await allEvents(client, IntakeKit.EventQuery(eventType: .conversion))
                #expect(conversions.map(\.id) == [1, 4].map { sentIDs[$0] })
                let actionsFromA = try await allEvents(client, IntakeKit.EventQuery(sourceID: "a", eventType: .action))
                #expect(actionsFromA.map(\.id) == [sentIDs[3]])
                let future = try await client.events(IntakeKit.EventQuery(since: "2999-01-01T00:00:00Z"))
                #expect(future.events.isEmpty)
                #expect(future.nextCursor == nil)

                let badLimit = await #expect(throws: IntakeError.self) {
                    try await client.events(IntakeKit.EventQuery(limit: 0))
                }
                guard let badLimit, badLimit.code == .rejected, badLimit.status == 400 else {
                    Issue.record("not a 400: \(String(describing: badLimit))")
                    return
                }
                #expect(badLimit.fieldErrors.contains { $0.hasPrefix("limit ") }, "\(badLimit.fieldErrors)")

                // Another account sees none of them.
                let other = try await server.register(account: "other-\(UUID().uuidString)")
                let outsider = IntakeClient(
                    tokens: TokenProvider(environment: server.environment, credentials: other, httpClient: http),
                    httpClient: http)
                #expect(try await outsider.events().events.isEmpty)
            }
        }
    }

    @Test func readingNeedsTheReadScope() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register(scopes: "events:write")
            try await withHTTPClient { http in
                let client = server.client(credentials, http: http)
                let error = await #expect(throws: IntakeError.self) {
                    try await client.events()
                }
                guard let error, error.code == .rejected, error.status == 403 else {
                    Issue.record("not a 403: \(String(describing: error))")
                    return
                }
                #expect(client.retries == 0)
            }
        }
    }

    @Test func batchReportsEachEvent() async throws {
        try await LiveServer.with { server in
            let account = "batch-\(UUID().uuidString)"
            let credentials = try await server.register(account: account)
            try await withHTTPClient { http in
                let client = server.client(credentials, http: http)
                var noSource = sampleEvent("batch", number: 1)
                noSource.sourceID = ""
                var badDate = sampleEvent("batch", number: 3)
                badDate.createdAt = "yesterday"
                let receipt = try await client.send(batch: [
                    sampleEvent("batch", number: 0), noSource, sampleEvent("batch", number: 2), badDate,
                ])
                #expect(receipt.stored == 2)
                #expect(receipt.failed == 2)
                #expect(receipt.results.map(\.index) == [0, 1, 2, 3])
                #expect(receipt.results.map(\.status) == [201, 422, 201, 422])
                #expect(receipt.results[0].id != nil && receipt.results[2].id != nil)
                #expect(receipt.results[1].id == nil)
                #expect(receipt.results[1].errors?.map(\.field) == ["events[1].source_id"])
                #expect(receipt.results[3].errors?.map(\.field) == ["events[3].created_at"])

                let stored = try await allEvents(client)
                #expect(stored.map(\.id) == [receipt.results[0].id, receipt.results[2].id].compactMap { $0 })
                #expect(stored.map(\.event.eventID) == ["batch-0", "batch-2"])
            }
        }
    }

    @Test func affiliateEventsGoToTheAffiliateEndpoint() async throws {
        try await LiveServer.with { server in
            let account = "affiliate-\(UUID().uuidString)"
            let credentials = try await server.register(account: account)
            try await StubServer.proxy(to: server) { proxy in
                try await withHTTPClient { http in
                    let client = IntakeClient(
                        tokens: TokenProvider(
                            environment: .custom(baseURL: proxy.baseURL), credentials: credentials, httpClient: http),
                        httpClient: http)
                    _ = try await client.send(sampleEvent("aff", number: 0, affiliateID: "partner-7"))
                    #expect(proxy.count("/v2/affiliate_event") == 1)
                    _ = try await client.send(sampleEvent("aff", number: 1))
                    #expect(proxy.count("/v2/event") == 1)
                    _ = try await client.send(json: .object([
                        "event_type": .string("conversion"), "event_name": .string("sale"), "source_id": .string("aff"),
                        "fields": .object([:]), "event_id": .string("aff-2"), "affiliate_id": .string("partner-8"),
                    ]))
                    #expect(proxy.count("/v2/affiliate_event") == 2)
                    _ = try await client.send(json: .object([
                        "event_type": .string("lead"), "event_name": .string("x"), "source_id": .string("aff"),
                        "fields": .object([:]), "event_id": .string("aff-3"), "affiliate_id": .null,
                    ]))
                    #expect(proxy.count("/v2/event") == 2)

                    let posts = proxy.requests.filter { $0.method == "POST" && $0.path.hasPrefix("/v2/") }
                    let keys = posts.compactMap { $0.headers[HTTPField.Name("Idempotency-Key")!] }
                    #expect(keys.count == 4)
                    #expect(Set(keys).count == 4)

                    let stored = try await allEvents(client)
                    #expect(stored.map(\.event.eventID) == ["aff-0", "aff-1", "aff-2", "aff-3"])
                    #expect(stored.map(\.event.affiliateID) == ["partner-7", nil, "partner-8", nil])
                }
            }
        }
    }

    @Test func anEventWithoutAffiliateIsRefusedByTheAffiliateEndpoint() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register()
            try await withHTTPClient { http in
                let client = server.client(credentials, http: http)
                let error = await #expect(throws: IntakeError.self) {
                    try await client.send(sampleEvent("aff", number: 0, affiliateID: ""))
                }
                guard let error, error.code == .rejected, error.status == 422 else {
                    Issue.record("not a 422: \(String(describing: error))")
                    return
                }
                #expect(error.fieldErrors.contains { $0.hasPrefix("affiliate_id ") }, "\(error.fieldErrors)")
            }
        }
    }

    @Test func theSameIdempotencyKeyStoresOnce() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register(account: "idempotency-\(UUID().uuidString)")
            try await withHTTPClient { http in
                let client = server.client(credentials, http: http)
                // Built anew each time, as an application resending it after a crash would; many
                // fields, so that a dictionary order that varies between encodings would show.
                func event(_ number: Int) -> Event {
                    var event = sampleEvent("idem", number: number)
                    for key in ["plan", "seats", "utm_source", "utm_medium", "utm_campaign", "country", "city", "phone"] {
                        event.fields[key] = .string("\(key)-value")
                    }
                    return event
                }
                let first = try await client.send(event(0), idempotencyKey: "key-1")
                let again = try await client.send(event(0), idempotencyKey: "key-1")
                #expect(again == first)
                let batch = try await client.send(batch: [event(1), event(2)], idempotencyKey: "key-2")
                let batchAgain = try await client.send(batch: [event(1), event(2)], idempotencyKey: "key-2")
                #expect(batchAgain == batch)
                #expect(try await allEvents(client).map(\.event.eventID) == ["idem-0", "idem-1", "idem-2"])
                // The same key for another event is refused, not silently replayed.
                let reused = await #expect(throws: IntakeError.self) {
                    try await client.send(event(3), idempotencyKey: "key-1")
                }
                guard let reused, reused.code == .rejected, reused.status == 422 else {
                    Issue.record("not a 422: \(String(describing: reused))")
                    return
                }
            }
        }
    }

    @Test func secretsAndTokensNeverAppearInDescriptions() async throws {
        let secret = "s3cr3t-\(UUID().uuidString)"
        let credentials = IntakeCredentials(clientID: "client-42", clientSecret: secret)
        for text in ["\(credentials)", String(describing: credentials), String(reflecting: credentials)] {
            #expect(!text.contains(secret))
            #expect(text.contains("client-42"))
        }

        try await LiveServer.with { server in
            let real = try await server.register(scopes: "events:write")
            try await withHTTPClient { http in
                var errors: [any Error] = []
                let wrong = IntakeCredentials(clientID: real.clientID, clientSecret: secret)
                await errors.append(caught {
                    try await TokenProvider(environment: server.environment, credentials: wrong, httpClient: http).token()
                })
                let scoped = TokenProvider(
                    environment: server.environment, credentials: real, scope: "events:admin", httpClient: http)
                await errors.append(caught { try await scoped.token() })
                // Short timeouts: a request to a stopped server waits in the connection pool until then.
                let quick = RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(1))
                let tokens = TokenProvider(environment: server.environment, credentials: real, httpClient: http)
                let client = IntakeClient(
                    tokens: tokens, httpClient: http, configuration: .init(requestTimeout: .milliseconds(500), retry: quick))
                await errors.append(caught { try await client.events() })
                await errors.append(caught {
                    var event = sampleEvent("secret", number: 0)
                    event.fields["secret"] = .string(real.clientSecret)
                    event.sourceID = ""
                    return try await client.send(event)
                })
                let token = try await tokens.token()
                await server.stop()
                await errors.append(caught { try await client.send(sampleEvent("secret", number: 1)) })
                let down = TokenProvider(
                    environment: server.environment, credentials: real, httpClient: http,
                    configuration: .init(requestTimeout: .milliseconds(500), retry: quick))
                await errors.append(caught { try await down.token() })

                #expect(errors.count == 6)
                #expect(errors.allSatisfy { $0 is IntakeError }, "\(errors)")
                for error in errors {
                    for text in [String(describing: error), String(reflecting: error), error.localizedDescription] {
                        #expect(!text.contains(secret))
                        #expect(!text.contains(real.clientSecret))
                        #expect(!text.contains(token))
                    }
                }
            }
        }

        try await StubServer.with { seen in
            seen.path == "/oauth2/token"
                ? .json(200, #"{"access_token": "tok-\#(secret)", "token_type": "mac"}"#)
                : .json(200, "[]")
        } body: { stub in
            try await withHTTPClient { http in
                let tokens = TokenProvider(environment: .custom(baseURL: stub.baseURL), credentials: credentials, httpClient: http)
                let error = await caught { try await tokens.token() }
                #expect(error as? IntakeError == .unexpectedResponse(status: 200, reason: "the token response is not a bearer token"))
                #expect(!String(describing: error).contains(secret))
            }
        }
    }
}

/// The error `body` throws, or nil.
func caught<Value>(_ body: () async throws -> Value) async -> (any Error)? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

extension Array where Element == any Error {
    mutating func append(_ error: (any Error)?) {
        if let error { append(error) } else { Issue.record("expected an error") }
    }
}
