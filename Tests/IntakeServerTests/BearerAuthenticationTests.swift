import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeSQLite
import NIOCore
import IntakeTestSupport
import Testing

/// The bearer check on `/v2` (RFC 6750 §2.1, §3; RFC 9068 §4; RFC 8725).
@Suite("Bearer authentication on /v2")
struct BearerAuthenticationTests {
    static let event = #"{"event_type":"lead","event_name":"signup","source_id":"form-1","fields":{"email":"a@example.com"}}"#

    /// The `/v2` routes, with a body each accepts.
    static let routes: [(HTTPRequest.Method, String, String?)] = [
        (.post, "/v2/event", event),
        (.post, "/v2/affiliate_event", #"{"event_type":"lead","event_name":"signup","source_id":"form-1","affiliate_id":"aff-1","fields":{}}"#),
        (.post, "/v2/events", #"{"events":[\#(event)]}"#),
        (.get, "/v2/events", nil),
    ]

    // MARK: No token

    @Test("No Authorization header: 401 with a bare Bearer challenge, on every /v2 route")
    func noAuthorization() async throws {
        try await TestServer.run { server in
            for (method, path, body) in Self.routes {
                let response = try await server.request(
                    method, path, headers: [.contentType: "application/json"], body: body)
                try expectBareChallenge(response, "\(method) \(path)")
            }
        }
    }

    @Test("Basic credentials on /v2 count as no token: the same bare 401")
    func basicCredentials() async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            for (method, path, body) in Self.routes {
                let response = try await server.request(
                    method, path,
                    headers: [
                        .contentType: "application/json",
                        .authorization: basic(credentials.clientID, credentials.clientSecret),
                    ],
                    body: body)
                try expectBareChallenge(response, "\(method) \(path)")
                #expect(!response.text.contains(credentials.clientSecret))
            }
        }
    }

    // MARK: Malformed requests

    @Test(
        "A Bearer header without a token, or with characters b64token forbids, is 400 invalid_request",
        arguments: ["Bearer", "Bearer   ", "Bearer abc def", "Bearer abc!def", "Bearer abc,def", "Bearer a\"b", "Bearer é"])
    func malformedBearer(header: String) async throws {
        try await TestServer.run { server in
            let response = try await server.request(
                .post, "/v2/event", headers: [.contentType: "application/json", .authorization: header],
                body: Self.event)
            try expectBearerError(response, status: .badRequest, error: "invalid_request")
        }
    }

    @Test("Two Authorization headers are 400 invalid_request")
    func twoAuthorizationHeaders() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            var headers: HTTPFields = [.contentType: "application/json"]
            headers.append(HTTPField(name: .authorization, value: "Bearer \(token)"))
            headers.append(HTTPField(name: .authorization, value: "Bearer \(token)"))
            let response = try await server.request(.post, "/v2/event", headers: headers, body: Self.event)
            try expectBearerError(response, status: .badRequest, error: "invalid_request")
            #expect(try await server.allStoredCount(account: "default") == 0)
        }
    }

    @Test("A token in the header and another in the query string is 400 invalid_request")
    func tokenInHeaderAndQuery() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            let response = try await server.request(
                .post, "/v2/event?access_token=\(token)",
                headers: [.contentType: "application/json", .authorization: "Bearer \(token)"], body: Self.event)
            try expectBearerError(response, status: .badRequest, error: "invalid_request")
            #expect(!response.text.contains(token))
        }
    }

    // MARK: Valid tokens

    @Test(
        "An issued token is accepted; the scheme name is case-insensitive and spaces around it are skipped",
        arguments: ["Bearer", "bearer", "BEARER", "  Bearer  "])
    func issuedTokenAccepted(scheme: String) async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            let response = try await server.request(
                .post, "/v2/event", headers: [.contentType: "application/json", .authorization: "\(scheme) \(token)"],
                body: Self.event)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    @Test("Control: a token forged with the server's key and correct claims is accepted")
    func forgedValidTokenAccepted() async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let forge = TokenForge(key: server.signingKey)
            let token = forge.token(
                header: TokenForge.header(kid: server.signingKey.id),
                claims: TokenForge.claims(for: credentials.clientID))
            let response = try await server.post("/v2/event", json: Self.event, token: token)
            #expect(response.status == .created, "\(response.text)")
            // `aud` may also be an array holding our identifier (RFC 7519 §4.1.3).
            let arrayAudience = forge.token(
                header: TokenForge.header(kid: server.signingKey.id),
                claims: TokenForge.claims(for: credentials.clientID)
                    .replacingOccurrences(
                        of: #""aud":"\#(TestServer.issuer)""#, with: #""aud":["other","\#(TestServer.issuer)"]"#))
            let second = try await server.post("/v2/event", json: Self.event, token: arrayAudience)
            #expect(second.status == .created, "\(second.text)")
        }
    }

    // MARK: Bad tokens

    @Test(
        "Garbage is 401 invalid_token",
        arguments: ["garbage", "a.b.c", "a.b.c.d.e", "eyJhbGciOiJIUzI1NiJ9.e30.", "eyJ.eyJ.sig", "...", "e30.e30.e30"])
    func garbageToken(token: String) async throws {
        try await TestServer.run { server in
            let response = try await server.request(
                .post, "/v2/event", headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                body: Self.event)
            try expectBearerError(response, status: .unauthorized, error: "invalid_token")
        }
    }

    @Test("A tampered token (claims changed, signature kept) is 401 invalid_token")
    func tamperedClaims() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            let decoded = try #require(DecodedToken(token))
            let parts = token.split(separator: ".")
            let widened = decoded.claimsText.replacingOccurrences(
                of: #""scope":"events:write""#, with: #""scope":"events:write events:read""#)
            #expect(widened != decoded.claimsText)
            let tampered = "\(parts[0]).\(TokenForge.base64URL(widened)).\(parts[2])"
            let response = try await server.get("/v2/events", token: tampered)
            try expectBearerError(response, status: .unauthorized, error: "invalid_token")
            #expect(!response.text.contains(tampered))
        }
    }

    @Test("A tampered signature is 401 invalid_token")
    func tamperedSignature() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            let parts = token.split(separator: ".")
            var signature = Array(parts[2])
            signature[0] = signature[0] == "A" ? "B" : "A"
            let tampered = "\(parts[0]).\(parts[1]).\(String(signature))"
            let response = try await server.post("/v2/event", json: Self.event, token: tampered)
            try expectBearerError(response, status: .unauthorized, error: "invalid_token")
            #expect(response.headers[.wwwAuthenticate]?.contains(tampered) == false)
        }
    }

    @Test("An expired token (beyond the leeway) is 401 invalid_token")
    func expiredToken() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let now = Int64(Date().timeIntervalSince1970)
            let token = TokenForge(key: server.signingKey).token(
                header: TokenForge.header(kid: server.signingKey.id),
                claims: TokenForge.claims(
                    for: credentials.clientID, issuedAt: now - 7200, lifetime: 3600, scope: "events:write"))
            let response = try await server.post("/v2/event", json: Self.event, token: token)
            try expectBearerError(response, status: .unauthorized, error: "invalid_token")
        }
    }

    @Test("An issued token whose lifetime is over is 401 invalid_token")
    func issuedAndExpired() async throws {
        // A server whose tokens expired two minutes before they were issued: past the 60 s leeway.
        try await TestServer.run(tokenLifetime: -120) { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            let response = try await server.post("/v2/event", json: Self.event, token: token)
            try expectBearerError(response, status: .unauthorized, error: "invalid_token")
        }
    }

    enum Forgery: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case algNone, algNoneLowercaseTyp, hs512SameKey, rs256Header, typJWT, noTyp, unknownKid, noKid, otherIssuer,
            otherAudience, otherKey, issuedInFuture, notYetValid, missingClientID
        var testDescription: String { rawValue }

        func token(key: SigningKey, clientID: String) -> String {
            let forge = TokenForge(key: key)
            let claims = TokenForge.claims(for: clientID)
            let header = TokenForge.header(kid: key.id)
            switch self {
            case .algNone:
                return forge.token(header: TokenForge.header(alg: "none", kid: key.id), claims: claims, signature: .none)
            case .algNoneLowercaseTyp:
                return forge.token(header: #"{"alg":"none","typ":"at+jwt"}"#, claims: claims, signature: .none)
            case .hs512SameKey:
                return forge.token(header: TokenForge.header(alg: "HS512", kid: key.id), claims: claims, signature: .hs512)
            case .rs256Header:
                return forge.token(header: TokenForge.header(alg: "RS256", kid: key.id), claims: claims, signature: .fakeRSA)
            case .typJWT:
                return forge.token(header: TokenForge.header(typ: "JWT", kid: key.id), claims: claims)
            case .noTyp:
                return forge.token(header: TokenForge.header(typ: nil, kid: key.id), claims: claims)
            case .unknownKid:
                return forge.token(header: TokenForge.header(kid: "not-our-key"), claims: claims)
            case .noKid:
                return forge.token(header: TokenForge.header(kid: nil), claims: claims)
            case .otherIssuer:
                return forge.token(
                    header: header, claims: TokenForge.claims(for: clientID, issuer: "http://evil.test"))
            case .otherAudience:
                return forge.token(
                    header: header, claims: TokenForge.claims(for: clientID, audience: "http://other-api.test"))
            case .otherKey:
                return TokenForge(keyBytes: Array(repeating: 7, count: 32)).token(header: header, claims: claims)
            case .issuedInFuture:
                let future = Int64(Date().timeIntervalSince1970) + 3600
                return forge.token(header: header, claims: TokenForge.claims(for: clientID, issuedAt: future))
            case .notYetValid:
                let withNotBefore = claims.replacingOccurrences(
                    of: #""jti""#, with: #""nbf":\#(Int64(Date().timeIntervalSince1970) + 3600),"jti""#)
                return forge.token(header: header, claims: withNotBefore)
            case .missingClientID:
                let without = claims.replacingOccurrences(of: #""client_id":"\#(clientID)","#, with: "")
                return forge.token(header: header, claims: without)
            }
        }
    }

    @Test("Forged tokens are 401 invalid_token", arguments: Forgery.allCases)
    func forgedTokens(forgery: Forgery) async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let token = forgery.token(key: server.signingKey, clientID: credentials.clientID)
            let write = try await server.post("/v2/event", json: Self.event, token: token)
            try expectBearerError(write, status: .unauthorized, error: "invalid_token")
            let read = try await server.get("/v2/events", token: token)
            try expectBearerError(read, status: .unauthorized, error: "invalid_token")
            #expect(try await server.allStoredCount(account: "default") == 0)
        }
    }

    @Test("A token longer than any we issue is 401 invalid_token, not 500")
    func overlongToken() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            let long = token + String(repeating: "A", count: 5000)
            let response = try await server.post("/v2/event", json: Self.event, token: long)
            try expectBearerError(response, status: .unauthorized, error: "invalid_token")
        }
    }

    // MARK: Scope

    @Test("A token without events:read on GET /v2/events is 403 insufficient_scope")
    func missingReadScope() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()  // events:write only
            let token = try await server.token(for: credentials)
            let response = try await server.get("/v2/events", token: token)
            try expectBearerError(response, status: .forbidden, error: "insufficient_scope")
            #expect(response.headers[.wwwAuthenticate]?.contains(#"scope="events:read""#) == true)
        }
    }

    @Test("A token without events:write on POST /v2/event is 403 insufficient_scope")
    func missingWriteScope() async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let token = try await server.token(for: credentials, scope: "events:read")
            for (method, path, body) in Self.routes where method == .post {
                let response = try await server.post(path, json: body ?? "", token: token)
                try expectBearerError(response, status: .forbidden, error: "insufficient_scope")
                #expect(response.headers[.wwwAuthenticate]?.contains(#"scope="events:write""#) == true, "\(path)")
            }
            #expect(try await server.get("/v2/events", token: token).status == .ok)
            #expect(try await server.allStoredCount(account: "default") == 0)
        }
    }

    // MARK: Revocation by registry change

    @Test("A token of a client disabled after issue is refused within 5 s, and honoured again once re-enabled")
    func disabledAfterIssue() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            #expect(try await server.post("/v2/event", json: Self.event, token: token).status == .created)
            #expect(try await server.store.setClientEnabled(id: credentials.clientID, false))
            let refused = try await eventually {
                try await server.post("/v2/event", json: Self.event, token: token).status == .unauthorized
            }
            #expect(refused, "the disabled client's token still works after 5 s")
            let response = try await server.post("/v2/event", json: Self.event, token: token)
            try expectBearerError(response, status: .unauthorized, error: "invalid_token")

            #expect(try await server.store.setClientEnabled(id: credentials.clientID, true))
            let honoured = try await eventually {
                try await server.post("/v2/event", json: Self.event, token: token).status == .created
            }
            #expect(honoured)
        }
    }

    @Test("A token of a client deleted after issue is refused within 5 s")
    func deletedAfterIssue() async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let token = try await server.token(for: credentials)
            #expect(try await server.get("/v2/events", token: token).status == .ok)
            #expect(try await server.store.deleteClient(id: credentials.clientID))
            let refused = try await eventually {
                try await server.get("/v2/events", token: token).status == .unauthorized
            }
            #expect(refused, "the deleted client's token still works after 5 s")
            try expectBearerError(try await server.get("/v2/events", token: token), status: .unauthorized, error: "invalid_token")
            try expectBearerError(
                try await server.post("/v2/event", json: Self.event, token: token), status: .unauthorized,
                error: "invalid_token")
        }
    }
}

extension TestServer {
    /// Events stored for `account`, counted through a fresh reader client of that account.
    func allStoredCount(account: String) async throws -> Int {
        let reader = try await register(name: "counter", account: account, scopes: "events:read")
        let token = try await eventuallyToken(for: reader)
        return try await allEvents(token: token).count
    }

    /// A token for a client just created, waiting for the registry to pick it up if needed.
    func eventuallyToken(for credentials: ClientCredentials) async throws -> String {
        var token: String?
        _ = try await eventually {
            let response = try await tokenRequest(credentials)
            token = try? response.json()["access_token"]?.string
            return response.status == .ok
        }
        return try #require(token, "no token for a new client within 5 s")
    }
}

/// 401 with exactly `WWW-Authenticate: Bearer realm="intake"` (no error code) and a problem body.
func expectBareChallenge(
    _ response: TestResponse, _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(response.status == .unauthorized, "\(label): \(response.text)", sourceLocation: sourceLocation)
    let challenges = response.headers[values: .wwwAuthenticate]
    #expect(challenges == [#"Bearer realm="intake""#], "\(label)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", "\(label)", sourceLocation: sourceLocation)
    let body = try #require(try? response.json(), "\(label): not JSON", sourceLocation: sourceLocation)
    #expect(body["status"] == .integer(401), "\(label)", sourceLocation: sourceLocation)
    #expect(body["error"] == nil, "\(label): a request without a token gets no error code", sourceLocation: sourceLocation)
}

/// An RFC 6750 §3 error: status, `WWW-Authenticate: Bearer realm="intake", error="…", error_description="…"`,
/// and a problem body with the same `error`.
func expectBearerError(
    _ response: TestResponse, status: HTTPResponse.Status, error: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    let challenge = try #require(response.headers[.wwwAuthenticate], "no WWW-Authenticate", sourceLocation: sourceLocation)
    #expect(challenge.hasPrefix(#"Bearer realm="intake""#), "\(challenge)", sourceLocation: sourceLocation)
    #expect(challenge.contains(#"error="\#(error)""#), "\(challenge)", sourceLocation: sourceLocation)
    #expect(challenge.contains(#"error_description=""#), "\(challenge)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let body = try #require(try? response.json(), "not JSON: \(response.text)", sourceLocation: sourceLocation)
    #expect(body["status"] == .integer(Int64(status.code)), sourceLocation: sourceLocation)
    #expect(body["error"] == .string(error), sourceLocation: sourceLocation)
    #expect(body["detail"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
}
