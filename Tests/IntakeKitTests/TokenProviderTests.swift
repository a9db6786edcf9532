import AsyncHTTPClient
import Foundation
import HTTPTypes
import IntakeModel
import NIOCore
import Synchronization
import IntakeTestSupport
import Testing

import IntakeKit

/// Token caching, single flight, renewal and token-endpoint failures, against a live server or a
/// fake token endpoint in the test process.
@Suite struct TokenProviderTests {
    @Test func thousandConcurrentSendsCauseOneTokenRequest() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register()
            try await StubServer.proxy(to: server) { proxy in
                try await withHTTPClient(connections: 64) { http in
                    let tokens = TokenProvider(
                        environment: .custom(baseURL: proxy.baseURL), credentials: credentials, httpClient: http)
                    let client = IntakeClient(tokens: tokens, httpClient: http)
                    let source = "single-flight-\(UUID().uuidString)"
                    let stored = try await withThrowingTaskGroup(of: Int64.self) { group in
                        for number in 0..<1000 {
                            group.addTask { try await client.send(sampleEvent(source, number: number)).id }
                        }
                        return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
                    }
                    #expect(stored.count == 1000)
                    #expect(tokens.tokensFetched == 1)
                    #expect(proxy.count("/oauth2/token") == 1, "the server saw more than one token request")
                    #expect(proxy.count("/v2/event") >= 1000)
                    let events = try await allEvents(client, EventQuery(limit: 1000, sourceID: source))
                    #expect(events.count == 1000)
                }
            }
        }
    }

    @Test func twoSecondTokensAreRenewedWithoutErrors() async throws {
        try await LiveServer.with(tokenLifetime: 2) { server in
            let credentials = try await server.register()
            try await withHTTPClient { http in
                let tokens = TokenProvider(environment: server.environment, credentials: credentials, httpClient: http)
                let client = IntakeClient(tokens: tokens, httpClient: http)
                let source = "short-tokens-\(UUID().uuidString)"
                let deadline = ContinuousClock.now + .seconds(10)
                let sent = Counter()
                let failures = Locked<[String]>([])
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var number = worker * 1_000_000
                            while ContinuousClock.now < deadline {
                                do {
                                    _ = try await client.send(sampleEvent(source, number: number))
                                    sent.increment()
                                } catch {
                                    failures.withLock { $0.append(String(describing: error)) }
                                }
                                number += 1
                                try? await Task.sleep(for: .milliseconds(5))
                            }
                        }
                    }
                }
                #expect(failures.withLock { $0 } == [])
                // Ten seconds of 2-second tokens, renewed at half-life: about ten of them.
                #expect(tokens.tokensFetched > 1)
                #expect(tokens.tokensFetched >= 5)
                #expect(sent.count > tokens.tokensFetched, "tokens were not reused")
                #expect(client.retries == 0)
            }
        }
    }

    @Test func wrongSecretIsTheTypedErrorAfterOneAttempt() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register()
            try await StubServer.proxy(to: server) { proxy in
                try await withHTTPClient { http in
                    let wrong = IntakeCredentials(clientID: credentials.clientID, clientSecret: credentials.clientSecret + "x")
                    let tokens = TokenProvider(
                        environment: .custom(baseURL: proxy.baseURL), credentials: wrong, httpClient: http,
                        configuration: .init(retry: RetryPolicy(maximumAttempts: 10, initialDelay: .milliseconds(1))))
                    let client = IntakeClient(tokens: tokens, httpClient: http)
                    await #expect(throws: IntakeError.invalidCredentials(description: "Invalid credentials")) {
                        try await client.send(sampleEvent("wrong-secret", number: 0))
                    }
                    #expect(proxy.count("/oauth2/token") == 1, "the refused secret was retried")
                    #expect(proxy.count("/v2/event") == 0)
                    #expect(tokens.tokensFetched == 0)
                    // An unknown client id is the same error.
                    let unknown = TokenProvider(
                        environment: .custom(baseURL: proxy.baseURL),
                        credentials: IntakeCredentials(clientID: "nobody", clientSecret: "nothing"), httpClient: http)
                    await #expect(throws: IntakeError.invalidCredentials(description: "Invalid credentials")) {
                        try await unknown.token()
                    }
                    #expect(proxy.count("/oauth2/token") == 2)
                }
            }
        }
    }

    @Test func invalidateDropsOnlyTheCachedToken() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register()
            try await withHTTPClient { http in
                let tokens = TokenProvider(environment: server.environment, credentials: credentials, httpClient: http)
                let first = try await tokens.token()
                #expect(try await tokens.token() == first)
                #expect(tokens.tokensFetched == 1)

                tokens.invalidate("not-the-cached-token")
                #expect(try await tokens.token() == first)
                #expect(tokens.tokensFetched == 1)

                tokens.invalidate(first)
                let second = try await tokens.token()
                #expect(second != first)
                #expect(tokens.tokensFetched == 2)

                // A late invalidation of the replaced token leaves the new one alone.
                tokens.invalidate(first)
                #expect(try await tokens.token() == second)
                #expect(tokens.tokensFetched == 2)
            }
        }
    }

    @Test func cancellingOneWaiterDoesNotCancelTheSharedRequest() async throws {
        let gate = Gate()
        try await StubServer.with { _ in
            await gate.wait()
            return .token("shared-token")
        } body: { stub in
            try await withHTTPClient { http in
                let tokens = stub.tokens(
                    http: http, configuration: .init(retry: RetryPolicy(maximumAttempts: 5, initialDelay: .milliseconds(1))))
                // The first caller starts the request; the others join it while the stub holds it.
                let starter = Task { try await tokens.token() }
                #expect(await eventually(within: .seconds(10)) { stub.count("/oauth2/token") == 1 })
                let others = (0..<4).map { _ in Task { try await tokens.token() } }
                try await Task.sleep(for: .milliseconds(200))
                starter.cancel()
                try await Task.sleep(for: .milliseconds(200))
                gate.open()
                for other in others {
                    #expect(try await other.value == "shared-token")
                }
                switch await starter.result {
                case .success(let token): #expect(token == "shared-token")
                case .failure(let error): #expect(error is CancellationError, "\(error)")
                }
                #expect(stub.count("/oauth2/token") == 1, "the shared request was cancelled or repeated")
                #expect(tokens.tokensFetched == 1)
                #expect(try await tokens.token() == "shared-token")
            }
        }
    }

    /// A 66-second token: past 33 s it is refreshed in the background while callers keep getting it;
    /// only 6 s before expiry would they wait. (The safety margin is at least 30 s unless that is
    /// more than half the lifetime, so a shorter token has no background window to test.) The
    /// provider's time is moved by hand.
    @Test func pastHalfLifeTheTokenIsRefreshedInTheBackground() async throws {
        let gate = Gate()
        let time = ManualTime()
        try await StubServer.with { seen in
            if seen.number == 1 { return .token("token-1", expiresIn: 66) }
            await gate.wait()
            return .token("token-\(seen.number)", expiresIn: 66)
        } body: { stub in
            try await withHTTPClient { http in
                let tokens = stub.tokens(http: http, now: time.now)
                let first = try await tokens.token()
                #expect(first == "token-1")
                time.advance(by: .seconds(5))
                let beforeHalfLife = try await tokens.token()
                #expect(beforeHalfLife == "token-1")
                #expect(stub.count("/oauth2/token") == 1, "refreshed before half-life")

                time.advance(by: .milliseconds(28_500))
                // Should a caller wait for the refresh (a bug), the gate opens on its own later and the
                // caller sees token-2.
                let fallback = Task {
                    try await Task.sleep(for: .seconds(5))
                    gate.open()
                }
                let pastHalfLife = try await tokens.token()
                #expect(pastHalfLife == "token-1", "a caller waited for the background refresh")
                #expect(await eventually(within: .seconds(10)) { stub.count("/oauth2/token") == 2 }, "no background refresh started")
                #expect(tokens.tokensFetched == 1)
                let again = try await tokens.token()
                #expect(again == "token-1")
                #expect(stub.count("/oauth2/token") == 2, "the background refresh was not shared")
                gate.open()
                fallback.cancel()
                #expect(await eventually(within: .seconds(10)) { tokens.tokensFetched == 2 })
                let renewed = try await tokens.token()
                #expect(renewed == "token-2")
                #expect(stub.count("/oauth2/token") == 2)
            }
        }
    }

    @Test func retryAfterOn503IsHonoured() async throws {
        try await StubServer.with { seen in
            seen.number == 1
                ? .json(503, #"{"error": "temporarily_unavailable"}"#, headers: [("Retry-After", "1")])
                : .token("after-retry")
        } body: { stub in
            try await withHTTPClient { http in
                // Backoff alone would wait at most 1 ms; only Retry-After makes it a second.
                let tokens = stub.tokens(
                    http: http, configuration: .init(retry: RetryPolicy(
                        maximumAttempts: 3, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(1),
                        maximumTotalTime: .seconds(10))))
                #expect(try await tokens.token() == "after-retry")
                let requests = stub.requests
                try #require(requests.count == 2)
                // A lower bound, not a speed: the second attempt may not come before Retry-After.
                #expect(requests[1].arrivedAt - requests[0].arrivedAt >= .milliseconds(990))
                #expect(tokens.tokensFetched == 1)
            }
        }
    }

    @Test func retryAfterBeyondTheBudgetFailsAtOnce() async throws {
        try await StubServer.with { _ in
            .json(429, #"{"error": "slow_down"}"#, headers: [("Retry-After", "120")])
        } body: { stub in
            try await withHTTPClient { http in
                let tokens = stub.tokens(
                    http: http, configuration: .init(retry: RetryPolicy(maximumAttempts: 5, maximumTotalTime: .seconds(10))))
                await #expect(throws: IntakeError.unavailable(attempts: 1, lastFailure: "HTTP 429")) {
                    try await tokens.token()
                }
                #expect(stub.count("/oauth2/token") == 1)
            }
        }
    }

    @Test func tokenRequestIsAFormPostWithBasicCredentials() async throws {
        try await StubServer.with { _ in .token("t") } body: { stub in
            try await withHTTPClient { http in
                let tokens = TokenProvider(
                    environment: .custom(baseURL: stub.baseURL),
                    credentials: IntakeCredentials(clientID: "clïent", clientSecret: "sécret:with colon"),
                    scope: "events:write events:read", httpClient: http)
                _ = try await tokens.token()
                let request = try #require(stub.requests.first)
                #expect(request.method == "POST")
                #expect(request.headers[.contentType] == "application/x-www-form-urlencoded")
                let expected = "Basic " + Data("clïent:sécret:with colon".utf8).base64EncodedString()
                #expect(request.headers[.authorization] == expected)
                #expect(String(buffer: request.body) == "grant_type=client_credentials&scope=events%3Awrite%20events%3Aread")
            }
        }
    }
}
