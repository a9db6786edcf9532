import Foundation
import Logging
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeServer
import IntakeTestSupport
import Testing

extension TestServer {
    /// `POST path` with a form body and HTTP Basic credentials, as the token endpoint takes them.
    func formPost(_ path: String, _ form: String, as credentials: ClientCredentials, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers[.authorization] = basic(credentials.clientID, credentials.clientSecret)
        return try await request(.post, path, headers: headers, body: form)
    }

    func introspect(_ token: String, as credentials: ClientCredentials) async throws -> [String: JSONValue] {
        let response = try await formPost("/oauth2/introspect", "token=" + formEncoded(token), as: credentials)
        try #require(response.status == .ok, "\(response.status) \(response.text)")
        #expect(response.headers[.cacheControl] == "no-store")
        return try #require(try response.json().object)
    }
}

/// Introspection, revocation, secret rotation with grace, per-client lifetimes and the throttle,
/// through a live server.
@Suite("Token lifecycle")
struct TokenLifecycleTests {
    static let event = #"{"event_type":"lead","event_name":"n","source_id":"s","fields":{}}"#

    @Test("Introspection: a client sees its own tokens; tokens:introspect sees all; anyone else, and any bad token, gets active false")
    func introspectionVisibility() async throws {
        try await TestServer.run { server in
            let owner = try await server.registerReaderWriter()
            let stranger = try await server.register(name: "stranger")
            let resourceServer = try await server.register(name: "api", scopes: "tokens:introspect")
            let token = try await server.token(for: owner)

            let own = try await server.introspect(token, as: owner)
            #expect(own["active"] == .bool(true))
            #expect(own["client_id"] == .string(owner.clientID))
            #expect(own["sub"] == .string(owner.clientID))
            #expect(own["scope"] == .string("events:write events:read"))
            #expect(own["iss"] == .string(TestServer.issuer))
            #expect(own["aud"] == .string(TestServer.issuer))
            #expect(own["token_type"] == .string("Bearer"))
            for claim in ["exp", "iat"] { #expect(own[claim]?.integer != nil, "\(claim)") }
            #expect(own["jti"]?.string == (try TokenForge.json(part: 1, of: token)["jti"] as? String))

            #expect(try await server.introspect(token, as: resourceServer)["active"] == .bool(true))
            #expect(try await server.introspect(token, as: stranger) == ["active": .bool(false)])
            for bad in ["not-a-token", token + "x", String(token.dropLast(2))] {
                #expect(try await server.introspect(bad, as: owner) == ["active": .bool(false)], "\(bad)")
            }
            let expired = TokenForge.signed(
                TokenForge.claims(for: owner.clientID, issuedAt: 1_700_000_000, lifetime: 60), key: server.signingKey)
            #expect(try await server.introspect(expired, as: resourceServer) == ["active": .bool(false)])

            // A disabled client's tokens are inactive.
            _ = try await server.store.setClientEnabled(id: owner.clientID, false)
            #expect(try await eventually { try await server.introspect(token, as: resourceServer)["active"] == .bool(false) })
        }
    }

    @Test("Introspection and revocation authenticate like the token endpoint: same bytes for bad credentials, 400 without a token")
    func lifecycleEndpointsAuthenticateLikeTheTokenEndpoint() async throws {
        try await TestServer.run { server in
            let client = try await server.register()
            let wrong = ClientCredentials(clientID: client.clientID, clientSecret: "wrong")
            let reference = try await server.tokenRequest(wrong)
            for path in ["/oauth2/introspect", "/oauth2/revoke"] {
                let refused = try await server.formPost(path, "token=x", as: wrong)
                #expect(refused.status == .unauthorized)
                #expect(refused.text == reference.text)
                #expect(refused.text == #"{"error": "invalid_grant", "error_description": "Invalid credentials"}"#)
                let missing = try await server.formPost(path, "", as: client)
                #expect(missing.status == .badRequest, "\(path): \(missing.text)")
                #expect(try missing.json()["error"]?.string == "invalid_request")
                #expect(try await server.request(.get, path).status == .methodNotAllowed)
            }
        }
    }

    @Test("Revocation: the client's own token is refused on /v2 at once and inactive; foreign and unknown tokens get 200 and stay as they were")
    func revocation() async throws {
        try await TestServer.run { server in
            let owner = try await server.registerReaderWriter()
            let other = try await server.registerReaderWriter()
            let token = try await server.token(for: owner)
            let othersToken = try await server.token(for: other)
            #expect(try await server.post("/v2/event", json: Self.event, token: token).status == .created)

            // Another client's token, or garbage: 200, no effect.
            #expect(try await server.formPost("/oauth2/revoke", "token=" + formEncoded(othersToken), as: owner).status == .ok)
            #expect(try await server.formPost("/oauth2/revoke", "token=garbage&token_type_hint=refresh_token", as: owner).status == .ok)
            #expect(try await server.post("/v2/event", json: Self.event, token: othersToken).status == .created)

            let revoked = try await server.formPost("/oauth2/revoke", "token=" + formEncoded(token) + "&token_type_hint=access_token", as: owner)
            #expect(revoked.status == .ok)
            let refused = try await server.post("/v2/event", json: Self.event, token: token)
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.wwwAuthenticate]?.contains("revoked") == true, "\(refused.headers)")
            #expect(try await server.introspect(token, as: owner)["active"] == .bool(false))
            // Revoking again is fine.
            #expect(try await server.formPost("/oauth2/revoke", "token=" + formEncoded(token), as: owner).status == .ok)
            let jti = try #require(try TokenForge.json(part: 1, of: token)["jti"] as? String)
            let audit = try await server.store.auditEntries(since: 0, limit: 100)
            #expect(audit.filter { $0.action == .tokenRevoked }.map(\.subject) == [jti])
            #expect(audit.first { $0.action == .tokenRevoked }?.actor == .client(owner.clientID))
            #expect(!audit.contains { $0.detail.contains(token) || $0.subject.contains(token) })
        }
    }

    @Test("Past its limit of live revocations a client's next revocation covers every token it was issued until then, audited once")
    func revocationsPastTheLimitPerClient() async throws {
        try await TestServer.run(configure: { $0.revocationLimitPerClient = 2 }) { server in
            let owner = try await server.registerReaderWriter()
            let neighbour = try await server.registerReaderWriter()
            var tokens: [String] = []
            for _ in 0..<5 { tokens.append(try await server.token(for: owner)) }
            let neighboursToken = try await server.token(for: neighbour)
            for token in tokens.prefix(3) {
                #expect(try await server.formPost("/oauth2/revoke", "token=" + formEncoded(token), as: owner).status == .ok)
            }
            // The third revocation went past the limit of two: the two tokens never revoked by
            // name are refused too, the neighbour's is not.
            for token in tokens {
                #expect(try await server.get("/v2/events", token: token).status == .unauthorized)
            }
            #expect(try await server.introspect(tokens[4], as: owner)["active"] == .bool(false))
            #expect(try await server.get("/v2/events", token: neighboursToken).status == .ok)
            // Revoking on moves the instant, and is not audited row by row.
            let fresh = try await server.token(for: owner)
            #expect(try await server.formPost("/oauth2/revoke", "token=" + formEncoded(fresh), as: owner).status == .ok)
            let audit = try await server.store.auditEntries(since: 0, limit: 100)
            #expect(audit.filter { $0.action == .tokenRevoked }.count == 2)
            #expect(audit.filter { $0.action == .clientTokensRevoked }.map(\.subject) == [owner.clientID])
            // A token issued after the instant works (the instant is in whole seconds, so a token of
            // the same second is refused: the client asks again).
            let working = try await eventually(within: .seconds(5)) {
                try await server.get("/v2/events", token: try await server.token(for: owner)).status == .ok
            }
            #expect(working)
            // The stored rows: two tokens by name and one client-wide row.
            let stored = try await server.store.revocations(after: 0, expiringAfter: 0, limit: 100)
            #expect(stored.count == 3, "\(stored)")
        }
    }

    @Test("A partner that swaps id and secret never has the secret written to the log or the audit trail")
    func swappedCredentialsAreNotLogged() async throws {
        let log = CapturedLog()
        try await TestServer.run(logger: log.logger, configure: Self.throttled) { server in
            let partner = try await server.register()
            for _ in 0..<4 {
                _ = try await server.tokenRequest(form: "grant_type=client_credentials", authorization: basic(partner.clientSecret, partner.clientID))
            }
            let audit = try await server.store.auditEntries(since: 0, limit: 100)
            let started = try #require(audit.first { $0.action == .throttlingStarted }, "the swap was never throttled")
            #expect(started.detail.hasPrefix("client_id=unknown:"), "\(started.detail)")
            #expect(!audit.contains { $0.detail.contains(partner.clientSecret) || $0.subject.contains(partner.clientSecret) })
            #expect(!log.all.contains { $0.fullText.contains(partner.clientSecret) }, "the secret reached the log")
        }
    }

    @Test("A revocation made through one instance is refused by another once it polls")
    func revocationReachesASibling() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("intake.sqlite").path
            let (storeA, storeB) = (try SQLiteStore(path: path), try SQLiteStore(path: path))
            try await TestServer.run(store: storeA, registryPollInterval: .seconds(1)) { a in
                let logB = CapturedLog()
                try await TestServer.run(store: storeB, registryPollInterval: .seconds(1), logger: logB.logger) { b in
                    let client = try await a.registerReaderWriter()
                    let token = try await a.token(for: client)
                    // B learns of the client at its next poll.
                    #expect(try await eventually { try await b.post("/v2/event", json: Self.event, token: token).status == .created })
                    #expect(try await a.formPost("/oauth2/revoke", "token=" + formEncoded(token), as: client).status == .ok)
                    // A read: a post would also wait for the SQLite write lock the two stores share.
                    // The promise of 5 s is checked over PostgreSQL (TwoServersOnPostgresTests); here
                    // the window is wide, for full runs where hundreds of tests share the process's
                    // two cooperative threads. Each probe goes on a connection of its own: in full
                    // runs, B had loaded the revocation and refused a probe, while the probes that
                    // followed on the shared test connection got 60 s of answers that B's request
                    // log never showed.
                    let probe = {
                        try await b.requestOnItsOwnConnection(
                            .get, "/v2/events?limit=1", headers: [.authorization: "Bearer \(token)"], body: ""
                        ).head.status
                    }
                    let refused = try await eventually(within: .seconds(60)) { try await probe() == .unauthorized }
                    let last = try await probe()
                    let warnings = logB.all.filter { $0.level >= .warning }.map(\.fullText)
                    #expect(refused, "B still accepted a token revoked through A (now \(last)): \(warnings)")
                    // An instance started later loads the revocation with everything else.
                    try await TestServer.run(store: try SQLiteStore(path: path)) { c throws in
                        #expect(try await eventually { try await c.post("/v2/event", json: Self.event, token: token).status == .unauthorized })
                        #expect(try await c.introspect(token, as: client)["active"] == .bool(false))
                    }
                }
            }
        }
    }

    @Test("During a rotation's grace both secrets authenticate; after it only the new one")
    func secretRotationWithGrace() async throws {
        try await TestServer.run { server in
            let old = try await server.register()
            let new = try #require(try await server.store.rotateSecret(clientID: old.clientID, grace: 3600))
            #expect(try await server.tokenRequest(new).status == .ok, "the new secret must work at once")
            #expect(try await server.tokenRequest(old).status == .ok, "the old secret must work during the grace")
            // The grace ending (ClientDirectoryTests checks the instant itself): a grace that is over.
            let later = try #require(try await server.store.rotateSecret(clientID: old.clientID, grace: 3600, now: UnixTime.now() - 7200))
            #expect(try await server.tokenRequest(later).status == .ok)
            #expect(try await server.tokenRequest(new).status == .unauthorized, "a grace that has ended must not authenticate")
            // Without grace, the old one stops at once.
            let third = try #require(try await server.store.rotateSecret(clientID: old.clientID))
            #expect(try await server.tokenRequest(third).status == .ok)
            #expect(try await server.tokenRequest(later).status == .unauthorized)
        }
    }

    @Test("A client's own token lifetime sets expires_in and exp, never beyond the server's")
    func perClientLifetime() async throws {
        try await TestServer.run(tokenLifetime: 3600) { server in
            for (lifetime, expected) in [(Int64(300), Int64(300)), (7200, 3600)] {
                let (_, credentials) = try await server.store.registerClient(name: "ttl", tokenLifetime: lifetime)
                let response = try await server.tokenRequest(credentials)
                #expect(response.status == .ok)
                #expect(try response.json()["expires_in"]?.integer == expected)
                let token = try #require(try response.json()["access_token"]?.string)
                let claims = try TokenForge.json(part: 1, of: token)
                #expect((claims["exp"] as? Int).map(Int64.init)! - (claims["iat"] as? Int).map(Int64.init)! == expected)
            }
        }
    }

    static func throttled(_ configuration: inout IntakeServerConfiguration) {
        configuration.throttlePolicy = AuthenticationThrottle.Policy(burst: 3, interval: 60_000)
        configuration.trustedProxies = [AddressRange("127.0.0.1/32")!]
    }

    @Test("Past the budget of failures: 429 with Retry-After, before the secret is checked; other clients and other addresses are not affected")
    func throttling() async throws {
        try await TestServer.run(configure: Self.throttled) { server in
            let partner = try await server.register()
            let neighbour = try await server.register(name: "neighbour")
            let wrong = ClientCredentials(clientID: partner.clientID, clientSecret: "guess")
            let attacker: HTTPFields = [.init("X-Forwarded-For")!: "203.0.113.66"]
            for _ in 0..<3 {
                let refused = try await server.tokenRequest(form: "grant_type=client_credentials", authorization: basic(wrong.clientID, wrong.clientSecret), extraHeaders: attacker)
                #expect(refused.status == .unauthorized)
                #expect(refused.text == #"{"error": "invalid_grant", "error_description": "Invalid credentials"}"#)
            }
            // The fourth is refused before its secret is looked at: even the right one.
            for credentials in [wrong, partner] {
                let throttled = try await server.tokenRequest(
                    form: "grant_type=client_credentials", authorization: basic(credentials.clientID, credentials.clientSecret), extraHeaders: attacker)
                #expect(throttled.status == .tooManyRequests)
                #expect(throttled.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 && $0 <= 60 } == true, "\(throttled.headers)")
                #expect(try throttled.json()["error"]?.string == "slow_down")
                #expect(throttled.headers[.contentType] == "application/json;charset=UTF-8")
            }
            // Introspection and revocation share the budget.
            let introspect = try await server.formPost("/oauth2/introspect", "token=x", as: partner, headers: attacker)
            #expect(introspect.status == .tooManyRequests)
            // The partner from its own address, and the neighbour from the attacker's, are unaffected.
            #expect(try await server.tokenRequest(partner).status == .ok)
            #expect(try await server.tokenRequest(form: "grant_type=client_credentials", authorization: basic(neighbour.clientID, neighbour.clientSecret), extraHeaders: attacker).status == .ok)
            let audit = try await server.store.auditEntries(since: 0, limit: 100).filter { $0.action == .throttlingStarted }
            #expect(audit.map(\.subject) == ["203.0.113.66"])
            #expect(!audit.contains { $0.detail.contains("guess") }, "a tried secret must never reach the audit trail")
        }
    }

    @Test("Unknown ids are throttled exactly like known ones, so the answers never tell them apart")
    func unknownIDsAreThrottledAlike() async throws {
        try await TestServer.run(configure: Self.throttled) { server in
            let known = try await server.register()
            var answers: [[String]] = []
            for id in [known.clientID, "no-such-client"] {
                var seen: [String] = []
                for _ in 0..<4 {
                    let response = try await server.tokenRequest(form: "grant_type=client_credentials", authorization: basic(id, "guess"))
                    // The seconds in Retry-After depend on when the loop ran, not on the id.
                    seen.append("\(response.status.code) \(try response.json()["error"]?.string ?? "")")
                }
                answers.append(seen)
            }
            #expect(answers[0] == answers[1])
            #expect(answers[0].last?.hasPrefix("429") == true)
        }
    }

    /// Without --trusted-proxy, anyone can write X-Forwarded-For: it is ignored, and a guesser
    /// cannot get a fresh budget by changing it.
    @Test("X-Forwarded-For from a peer that is not a trusted proxy is ignored")
    func forwardedForIsIgnoredFromUntrustedPeers() async throws {
        try await TestServer.run(configure: { $0.throttlePolicy = AuthenticationThrottle.Policy(burst: 3, interval: 60_000) }) { server in
            let client = try await server.register()
            var statuses: [Int] = []
            for index in 0..<4 {
                let spoofed: HTTPFields = [.init("X-Forwarded-For")!: "198.51.100.\(index)"]
                statuses.append(
                    try await server.tokenRequest(
                        form: "grant_type=client_credentials", authorization: basic(client.clientID, "guess"), extraHeaders: spoofed
                    ).status.code)
            }
            #expect(statuses == [401, 401, 401, 429])
        }
    }

    @Test("Successes never count against the budget")
    func successesDoNotCount() async throws {
        try await TestServer.run(configure: Self.throttled) { server in
            let client = try await server.register()
            for _ in 0..<20 { #expect(try await server.tokenRequest(client).status == .ok) }
            let wrong = ClientCredentials(clientID: client.clientID, clientSecret: "guess")
            for _ in 0..<3 { #expect(try await server.tokenRequest(wrong).status == .unauthorized) }
        }
    }
}
