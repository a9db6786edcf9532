import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeSQLite
import NIOCore
import IntakeTestSupport
import Testing

/// `POST /oauth2/token`: RFC 6749 §2.3, §4.4, §5 and the published answers of the hosted API.
@Suite("Token endpoint")
struct TokenEndpointTests {
    static let invalidCredentialsBody = #"{"error": "invalid_grant", "error_description": "Invalid credentials"}"#

    // MARK: Success

    @Test("Basic credentials get a token with the published body and headers")
    func successBodyAndHeaders() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.tokenRequest(credentials)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json;charset=UTF-8")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.pragma] == "no-cache")
            let token = try #require(try response.json()["access_token"]?.string)
            #expect(token.hasPrefix("eyJhbGciOiJIUzI1NiIs"))
            #expect(response.text == #"{"access_token": "\#(token)", "token_type": "Bearer", "expires_in": 3600}"#)
            #expect(!response.text.contains(credentials.clientSecret))
        }
    }

    @Test("The token is an RFC 9068 JWT: fixed header, integer times, issuer, audience, subject, scope")
    func tokenHeaderAndClaims() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let before = Int64(Date().timeIntervalSince1970)
            let token = try await server.token(for: credentials)
            let after = Int64(Date().timeIntervalSince1970)
            let decoded = try #require(DecodedToken(token))
            #expect(decoded.headerText == #"{"alg":"HS256","typ":"at+jwt","kid":"\#(server.signingKey.id)"}"#)
            let claims = decoded.claims
            #expect(claims["iss"] == .string(TestServer.issuer))
            #expect(claims["sub"] == .string(credentials.clientID))
            #expect(claims["client_id"] == .string(credentials.clientID))
            let audience = try #require(claims["aud"])
            #expect(audience == .string(TestServer.issuer) || audience == .array([.string(TestServer.issuer)]))
            let issuedAt = try #require(claims["iat"]?.integer)
            let expiresAt = try #require(claims["exp"]?.integer)
            #expect((before - 1...after + 1).contains(issuedAt))
            #expect(expiresAt == issuedAt + 3600)
            // Written as JSON integers, not 1.7e9 or 1700000000.0.
            #expect(decoded.claimsText.contains(#""iat":\#(issuedAt)"#))
            #expect(decoded.claimsText.contains(#""exp":\#(expiresAt)"#))
            #expect(claims["jti"]?.string?.isEmpty == false)
            #expect(claims["scope"] == .string("events:write"))
            #expect(decoded.signature.count == 32)
        }
    }

    @Test("Every token has its own jti")
    func uniqueTokenIDs() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            var ids: Set<String> = []
            for _ in 0..<5 {
                let token = try await server.token(for: credentials)
                ids.insert(try #require(DecodedToken(token)?.claims["jti"]?.string))
            }
            #expect(ids.count == 5)
        }
    }

    @Test("expires_in and exp follow the configured token lifetime")
    func configuredLifetime() async throws {
        try await TestServer.run(tokenLifetime: 120) { server in
            let credentials = try await server.register()
            let response = try await server.tokenRequest(credentials)
            #expect(response.status == .ok)
            #expect(try response.json()["expires_in"] == .integer(120))
            let token = try #require(try response.json()["access_token"]?.string)
            let claims = try #require(DecodedToken(token)).claims
            let issuedAt = try #require(claims["iat"]?.integer)
            #expect(claims["exp"]?.integer == issuedAt + 120)
        }
    }

    @Test("A token request without scope gets all of the client's scopes")
    func defaultScopeIsAllOfTheClients() async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let token = try await server.token(for: credentials)
            #expect(DecodedToken(token)?.claims["scope"] == .string("events:write events:read"))
        }
    }

    // MARK: Client authentication

    @Test("The Basic scheme name is case-insensitive", arguments: ["basic", "BASIC", "bAsIc"])
    func basicSchemeCaseInsensitive(scheme: String) async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let header = basic(credentials.clientID, credentials.clientSecret)
                .replacingOccurrences(of: "Basic", with: scheme)
            let response = try await server.tokenRequest(authorization: header)
            #expect(response.status == .ok, "\(response.text)")
        }
    }

    @Test("Several spaces between the scheme and the credentials are allowed (RFC 7235 §2.1: 1*SP)")
    func basicWithSeveralSpaces() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let header = basic(credentials.clientID, credentials.clientSecret)
                .replacingOccurrences(of: "Basic ", with: "Basic   ")
            let response = try await server.tokenRequest(authorization: header)
            #expect(response.status == .ok, "\(response.text)")
        }
    }

    @Test("RFC 6749 §2.3.1: id and secret form-urlencoded before base64 (every byte as %XX) are accepted")
    func formEncodedBasicCredentials() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let header = basic(
                percentEncodedEveryByte(credentials.clientID), percentEncodedEveryByte(credentials.clientSecret))
            let response = try await server.tokenRequest(authorization: header)
            #expect(response.status == .ok, "\(response.text)")
            let token = try #require(try response.json()["access_token"]?.string)
            #expect(DecodedToken(token)?.claims["client_id"] == .string(credentials.clientID))
        }
    }

    @Test("A secret with reserved and non-ASCII characters works both form-encoded (RFC 6749) and raw (RFC 7617)")
    func secretWithSpecialCharacters() async throws {
        try await TestServer.run { server in
            let id = "partner.one"
            let secret = "p@ss w:rd/é!"
            try await server.store.insertClient(
                ClientRecord(id: id, name: "special", secretHash: SecretHash(of: secret)))
            let encodedHeader = basic(formEncoded(id), formEncoded(secret))
            let known = try await eventually {
                try await server.tokenRequest(authorization: encodedHeader).status == .ok
            }
            #expect(known, "form-encoded credentials refused")
            let encoded = try await server.tokenRequest(authorization: encodedHeader)
            #expect(encoded.status == .ok, "form-encoded: \(encoded.text)")
            let raw = try await server.tokenRequest(authorization: basic(id, secret))
            #expect(raw.status == .ok, "raw UTF-8: \(raw.text)")
            let wrong = try await server.tokenRequest(authorization: basic(id, "p@ss w:rd/e!"))
            #expect(wrong.status == .unauthorized)
        }
    }

    @Test("client_secret_post: credentials in the form body")
    func clientSecretPost() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.tokenRequest(
                form: "grant_type=client_credentials&client_id=\(formEncoded(credentials.clientID))"
                    + "&client_secret=\(formEncoded(credentials.clientSecret))")
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.headers[.contentType] == "application/json;charset=UTF-8")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.pragma] == "no-cache")
            let token = try #require(try response.json()["access_token"]?.string)
            #expect(DecodedToken(token)?.claims["client_id"] == .string(credentials.clientID))
            #expect(!response.text.contains(credentials.clientSecret))
        }
    }

    @Test("client_secret_post with a wrong secret gets the published 401")
    func clientSecretPostWrongSecret() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.tokenRequest(
                form: "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=wrong")
            try expectOAuthError(response, status: .unauthorized, error: "invalid_grant")
            #expect(response.text == Self.invalidCredentialsBody)
        }
    }

    @Test("Two client authentication methods at once are invalid_request")
    func twoAuthenticationMethods() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let other = try await server.register(name: "other")
            let forms = [
                "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=\(credentials.clientSecret)",
                "grant_type=client_credentials&client_secret=\(credentials.clientSecret)",
                "grant_type=client_credentials&client_id=\(other.clientID)&client_secret=\(other.clientSecret)",
                "grant_type=client_credentials&client_id=\(other.clientID)",
            ]
            for form in forms {
                let response = try await server.tokenRequest(credentials, form: form)
                try expectOAuthError(response, status: .badRequest, error: "invalid_request")
                #expect(!response.text.contains(credentials.clientSecret))
            }
        }
    }

    @Test("Two Authorization headers are invalid_request")
    func twoAuthorizationHeaders() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            var headers: HTTPFields = [:]
            headers.append(HTTPField(name: .authorization, value: basic(credentials.clientID, credentials.clientSecret)))
            let response = try await server.tokenRequest(
                authorization: basic(credentials.clientID, credentials.clientSecret), extraHeaders: headers)
            try expectOAuthError(response, status: .badRequest, error: "invalid_request")
        }
    }

    @Test("No client authentication at all is 401 invalid_client with a Basic challenge")
    func noClientAuthentication() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            for form in ["grant_type=client_credentials", "grant_type=client_credentials&client_id=\(credentials.clientID)"] {
                let response = try await server.tokenRequest(form: form)
                try expectOAuthError(response, status: .unauthorized, error: "invalid_client")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix(#"Basic realm="intake""#) == true)
            }
        }
    }

    @Test("Client credentials in the URL are refused")
    func credentialsInQueryString() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.request(
                .post, "/oauth2/token?client_id=\(credentials.clientID)&client_secret=\(credentials.clientSecret)",
                headers: [.contentType: "application/x-www-form-urlencoded"], body: "grant_type=client_credentials")
            try expectOAuthError(response, status: .badRequest, error: "invalid_request")
            #expect(!response.text.contains(credentials.clientSecret))
        }
    }

    @Test(
        "A client secret in the URL is refused even beside valid Basic credentials, however the query is written",
        arguments: [
            "client_secret=SECRET",
            "client_secret=SECRET&client_secret=SECRET",
            "client_secret=SECRET&x=%ZZ",
            "client_secret=",
        ])
    func secretInQueryBesideBasic(query: String) async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.request(
                .post, "/oauth2/token?" + query.replacingOccurrences(of: "SECRET", with: credentials.clientSecret),
                headers: [
                    .contentType: "application/x-www-form-urlencoded",
                    .authorization: basic(credentials.clientID, credentials.clientSecret),
                ],
                body: "grant_type=client_credentials")
            try expectOAuthError(response, status: .badRequest, error: "invalid_request")
            #expect(!response.text.contains(credentials.clientSecret))
        }
    }

    // MARK: Bad credentials

    @Test("Unknown client, wrong secret, disabled and deleted client get byte-identical 401 answers")
    func badCredentialsAreIndistinguishable() async throws {
        try await TestServer.run { server in
            let good = try await server.register(name: "good")
            let disabled = try await server.register(name: "disabled")
            let deleted = try await server.register(name: "deleted")
            #expect(try await server.store.setClientEnabled(id: disabled.clientID, false))
            #expect(try await server.store.deleteClient(id: deleted.clientID))
            // Both changes are seen once the disabled client is refused; wait for the deleted one too.
            for credentials in [disabled, deleted] {
                let refused = try await eventually {
                    try await server.tokenRequest(credentials).status == .unauthorized
                }
                #expect(refused, "registry change not seen within 5 s")
            }

            let attempts: [(String, ClientCredentials)] = [
                ("unknown client", ClientCredentials(clientID: "no-such-client", clientSecret: good.clientSecret)),
                ("wrong secret", ClientCredentials(clientID: good.clientID, clientSecret: "not-the-secret")),
                ("disabled client", disabled),
                ("deleted client", deleted),
            ]
            var responses: [(String, TestResponse)] = []
            for (label, credentials) in attempts {
                let response = try await server.tokenRequest(credentials)
                try expectOAuthError(response, status: .unauthorized, error: "invalid_grant")
                #expect(response.text == Self.invalidCredentialsBody, "\(label)")
                #expect(
                    response.headers[.wwwAuthenticate]?.hasPrefix(#"Basic realm="intake""#) == true, "\(label)")
                #expect(!response.text.contains(credentials.clientSecret), "\(label)")
                responses.append((label, response))
            }
            let (_, first) = responses[0]
            for (label, response) in responses.dropFirst() {
                #expect(response.status == first.status, "\(label)")
                #expect(response.bytes == first.bytes, "\(label)")
                #expect(response.stableHeaders == first.stableHeaders, "\(label)")
            }
        }
    }

    // MARK: grant_type and scope

    @Test(
        "A missing, empty or repeated grant_type is invalid_request",
        arguments: [
            "",
            "scope=events%3Awrite",
            "grant_type=",
            "grant_type",
            "grant_type=client_credentials&grant_type=client_credentials",
            "grant_type=client_credentials&grant_type=password",
            "grant_type=client%ZZcredentials",
            "grant_type=client_credentials&scope=%",
        ])
    func badGrantType(form: String) async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.tokenRequest(credentials, form: form)
            try expectOAuthError(response, status: .badRequest, error: "invalid_request")
        }
    }

    @Test(
        "Another grant type is unsupported_grant_type",
        arguments: ["password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS", "client_credentials%20"])
    func unsupportedGrantType(grantType: String) async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.tokenRequest(credentials, form: "grant_type=\(grantType)")
            try expectOAuthError(response, status: .badRequest, error: "unsupported_grant_type")
        }
    }

    @Test("Any other repeated parameter is invalid_request")
    func repeatedScope() async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let response = try await server.tokenRequest(
                credentials, form: "grant_type=client_credentials&scope=events%3Awrite&scope=events%3Aread")
            try expectOAuthError(response, status: .badRequest, error: "invalid_request")
        }
    }

    @Test(
        "A scope within the client's is granted as asked",
        arguments: [
            ("events:read", "events:read"),
            ("events:write", "events:write"),
            ("events:read events:write", "events:read events:write"),
        ])
    func scopeSubset(requested: String, granted: String) async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let response = try await server.tokenRequest(
                credentials, form: "grant_type=client_credentials&scope=\(formEncoded(requested))")
            #expect(response.status == .ok, "\(response.text)")
            let body = try response.json()
            let token = try #require(body["access_token"]?.string)
            #expect(DecodedToken(token)?.claims["scope"] == .string(granted))
            // RFC 6749 §5.1: scope may be left out when it is the one requested; if sent, it must match.
            if let scope = body["scope"] { #expect(scope == .string(granted)) }
        }
    }

    @Test("A scope list form-encoded with + for the space is understood")
    func scopeWithPlusForSpace() async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let response = try await server.tokenRequest(
                credentials, form: "grant_type=client_credentials&scope=events%3Aread+events%3Awrite")
            #expect(response.status == .ok, "\(response.text)")
            let token = try #require(try response.json()["access_token"]?.string)
            #expect(DecodedToken(token)?.claims["scope"] == .string("events:read events:write"))
        }
    }

    @Test(
        "A scope beyond the client's is invalid_scope",
        arguments: ["events:read", "events:write events:read", "admin", "events:write admin"])
    func scopeBeyondClients(requested: String) async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()  // events:write only
            let response = try await server.tokenRequest(
                credentials, form: "grant_type=client_credentials&scope=\(formEncoded(requested))")
            try expectOAuthError(response, status: .badRequest, error: "invalid_scope")
        }
    }

    // MARK: Request format

    @Test(
        "A body that is not form-urlencoded is invalid_request",
        arguments: [Optional("application/json"), "text/plain", "multipart/form-data; boundary=x", nil])
    func nonFormContentType(contentType: String?) async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.tokenRequest(
                form: "grant_type=client_credentials",
                authorization: basic(credentials.clientID, credentials.clientSecret), contentType: contentType)
            try expectOAuthError(response, status: .badRequest, error: "invalid_request")
        }
    }

    @Test("A charset parameter on the form content type is fine")
    func formContentTypeWithCharset() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.tokenRequest(
                form: "grant_type=client_credentials",
                authorization: basic(credentials.clientID, credentials.clientSecret),
                contentType: "application/x-www-form-urlencoded; charset=UTF-8")
            #expect(response.status == .ok, "\(response.text)")
        }
    }

    @Test("Other methods get 405 with Allow: POST and a JSON body", arguments: [
        HTTPRequest.Method.get, .put, .delete, .patch,
    ])
    func otherMethods(method: HTTPRequest.Method) async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let response = try await server.request(
                method, "/oauth2/token",
                headers: [
                    .authorization: basic(credentials.clientID, credentials.clientSecret),
                    .contentType: "application/x-www-form-urlencoded",
                ],
                body: method == .get || method == .delete ? nil : "grant_type=client_credentials")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try response.json()["error"]?.string?.isEmpty == false)
            #expect(!response.text.contains(credentials.clientSecret))
        }
    }

    static let malformedAuthorizations: [String] = [
        "Basic !!!not-base64!!!",
        "Basic " + Data("no-colon-here".utf8).base64EncodedString(),
        basic(rawBytes: [0xFF, 0xFE, UInt8(ascii: ":"), 0xC3, 0x28]),
        basic(rawBytes: Array("id:".utf8) + [0x80, 0x81]),
        "Basic " + Data(":secret-without-id".utf8).base64EncodedString(),
        "Basic",
        "Basic    ",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc",
        "Digest username=\"x\"",
        "Basic YQ",
        String(repeating: "A", count: 300),
    ]

    @Test("A malformed Authorization header is a 4xx JSON answer, never 500", arguments: malformedAuthorizations)
    func malformedAuthorization(header: String) async throws {
        try await TestServer.run { server in
            _ = try await server.register()
            let response = try await server.tokenRequest(authorization: header)
            try expectOAuthError(response, status: nil, error: nil)
            // The server still works afterwards.
            let credentials = try await server.register(name: "next")
            #expect(try await server.tokenRequest(credentials).status == .ok)
        }
    }

    @Test("Non-UTF-8 bytes in the Authorization header are a 4xx JSON answer")
    func nonUTF8AuthorizationHeader() async throws {
        try await TestServer.run { server in
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            headers.append(HTTPField(name: .authorization, value: Array("Basic ".utf8) + [0xFF, 0xFE, 0xC3, 0x28]))
            let response = try await server.request(
                .post, "/oauth2/token", headers: headers, body: "grant_type=client_credentials")
            try expectOAuthError(response, status: nil, error: nil)
        }
    }

    @Test("A 1 MB body is refused with a 4xx JSON answer, its connection closed, and the server serves the next request")
    func oneMegabyteBody() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let form = "grant_type=client_credentials&padding=" + String(repeating: "a", count: 1 << 20)
            let response = try await server.requestOnItsOwnConnection(
                .post, "/oauth2/token",
                headers: [.contentType: "application/x-www-form-urlencoded",
                          .authorization: basic(credentials.clientID, credentials.clientSecret)],
                body: form)
            #expect(response.headers[.connection] == "close")
            #expect(response.status == .badRequest)
            let text = String(buffer: response.body ?? ByteBuffer())
            #expect(text.contains(#""error": "invalid_request""#), "\(text)")
            #expect(!text.contains(credentials.clientSecret))
            #expect(try await server.tokenRequest(credentials).status == .ok)
        }
    }

    @Test("A 100 KB Authorization header is refused with a 4xx and the server serves the next request")
    func hugeHeader() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            let huge = "Basic " + String(repeating: "QUFB", count: 25_000)
            let status = try await server.withExtraConnection { extra in
                let response = try await extra.execute(
                    TestClient.Request(
                        "/oauth2/token", method: .post, authority: "localhost",
                        headers: [.authorization: huge, .contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: "grant_type=client_credentials")))
                return response.status
            }
            #expect((400..<500).contains(status.code), "got \(status)")
            let next = try await server.tokenRequest(credentials)
            #expect(next.status == .ok)
            let another = try await server.withExtraConnection { extra in
                try await extra.execute(
                    TestClient.Request(
                        "/oauth2/token", method: .post, authority: "localhost",
                        headers: [
                            .authorization: basic(credentials.clientID, credentials.clientSecret),
                            .contentType: "application/x-www-form-urlencoded",
                        ],
                        body: ByteBuffer(string: "grant_type=client_credentials"))
                ).status
            }
            #expect(another == .ok)
        }
    }
}

/// Checks a token endpoint error: the status (any 4xx when nil), the RFC 6749 §5.2 JSON body with
/// `error` (any code when nil), and the headers every token endpoint answer carries.
func expectOAuthError(
    _ response: TestResponse, status: HTTPResponse.Status?, error: String?,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    if let status {
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    } else {
        #expect((400..<500).contains(response.status.code), "got \(response.status): \(response.text)", sourceLocation: sourceLocation)
    }
    #expect(response.headers[.contentType] == "application/json;charset=UTF-8", sourceLocation: sourceLocation)
    #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
    #expect(response.headers[.pragma] == "no-cache", sourceLocation: sourceLocation)
    let body = try #require(try? response.json(), "not JSON: \(response.text)", sourceLocation: sourceLocation)
    let code = try #require(body["error"]?.string, "no error member: \(response.text)", sourceLocation: sourceLocation)
    if let error {
        #expect(code == error, sourceLocation: sourceLocation)
    }
    #expect(!code.contains(" "), sourceLocation: sourceLocation)
    if let description = body["error_description"] {
        #expect(description.string != nil, sourceLocation: sourceLocation)
    }
}

extension HTTPField.Name {
    static let pragma = HTTPField.Name("Pragma")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
