import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeServer
import IntakeTestSupport
import JWTKit
import Testing

/// The published key set and metadata, checked from outside: tokens of each algorithm verified by
/// jwt-kit from nothing but the JWKS the metadata points at, and rotations that never refuse a
/// still-valid token.
@Suite("Key set, JWKS and metadata")
struct KeySetTests {
    /// The claims jwt-kit checks on its own (signature and expiry); the rest is ours to trust.
    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var client_id: String
        var scope: String

        func verify(using algorithm: some JWTAlgorithm) throws {
            try exp.verifyNotExpired()
        }
    }

    static func metadata(of server: TestServer) async throws -> [String: JSONValue] {
        let response = try await server.request(.get, "/.well-known/oauth-authorization-server")
        try #require(response.status == .ok)
        #expect(response.headers[.contentType] == "application/json")
        return try #require(try response.json().object)
    }

    /// What a resource server elsewhere does: metadata → `jwks_uri` → a key collection from that JSON alone.
    static func thirdPartyKeys(of server: TestServer) async throws -> (JWTKeyCollection, String) {
        let jwksURI = try #require(try await metadata(of: server)["jwks_uri"]?.string)
        let path = try #require(URL(string: jwksURI)?.path)
        let response = try await server.request(.get, path)
        try #require(response.status == .ok)
        return (try await JWTKeyCollection().add(jwksJSON: response.text), response.text)
    }

    @Test("The metadata names the issuer of the tokens and only what is served")
    func metadataMatchesWhatIsServed() async throws {
        try await TestServer.run { server in
            let document = try await Self.metadata(of: server)
            #expect(document["issuer"] == .string(TestServer.issuer))
            #expect(document["token_endpoint"] == .string(TestServer.issuer + "/oauth2/token"))
            #expect(document["jwks_uri"] == .string(TestServer.issuer + "/.well-known/jwks.json"))
            #expect(document["grant_types_supported"] == .array(["client_credentials"]))
            #expect(document["token_endpoint_auth_methods_supported"] == .array(["client_secret_basic", "client_secret_post"]))
            #expect(document["scopes_supported"] == .array(["events:write", "events:read", "tokens:introspect"]))
            #expect(document["introspection_endpoint"] == .string(TestServer.issuer + "/oauth2/introspect"))
            #expect(document["revocation_endpoint"] == .string(TestServer.issuer + "/oauth2/revoke"))
            for name in ["introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"] {
                #expect(document[name] == .array(["client_secret_basic", "client_secret_post"]), "\(name)")
            }
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            #expect(try TokenForge.json(part: 1, of: token)["iss"] as? String == TestServer.issuer)
        }
    }

    @Test("For an issuer with a path, the metadata is also at the well-known path followed by it (RFC 8414 §3.1)")
    func metadataOfAnIssuerWithAPath() async throws {
        try await TestServer.run(configure: { $0.issuer = "https://intake.test/auth" }) { server in
            for path in ["/.well-known/oauth-authorization-server/auth", "/.well-known/oauth-authorization-server"] {
                let response = try await server.request(.get, path)
                #expect(response.status == .ok, "\(path)")
                #expect(try response.json()["issuer"]?.string == "https://intake.test/auth")
                #expect(try response.json()["jwks_uri"]?.string == "https://intake.test/auth/.well-known/jwks.json")
            }
        }
    }

    @Test("An HS256 key set publishes no key at all", arguments: [false, true])
    func hs256PublishesNothing(fixed: Bool) async throws {
        let key = fixed ? try SigningKey.generate(.hs256) : nil
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStore(path: directory.appendingPathComponent("intake.sqlite").path)
            try await TestServer.run(store: store, signingKey: key) { server in
                let response = try await server.request(.get, "/.well-known/jwks.json")
                #expect(response.status == .ok)
                #expect(response.text == #"{"keys":[]}"#)
                #expect(!response.text.contains(server.signingKey.base64URL))
            }
        }
    }

    @Test("A token of each asymmetric algorithm verifies with jwt-kit from the published JWKS", arguments: [SigningAlgorithm.rs256, .es256, .edDSA])
    func thirdPartyVerification(_ algorithm: SigningAlgorithm) async throws {
        try await TestServer.run(configure: { $0.signingAlgorithm = algorithm }) { server in
            let credentials = try await server.registerReaderWriter()
            let token = try await server.token(for: credentials)
            #expect(try TokenForge.json(part: 0, of: token)["alg"] as? String == algorithm.rawValue)
            let (keys, jwks) = try await Self.thirdPartyKeys(of: server)
            let claims = try await keys.verify(token, as: Claims.self)
            #expect(claims.client_id == credentials.clientID)
            #expect(claims.iss.value == TestServer.issuer)
            #expect(claims.scope == "events:write events:read")
            for member in [#""d""#, #""p""#, #""q""#, #""dp""#, #""dq""#, #""qi""#, #""k""#] {
                #expect(!jwks.contains(member + ":"), "the JWKS carries a private member \(member)")
            }
            let cache = try #require(try await server.request(.get, "/.well-known/jwks.json").headers[.cacheControl])
            #expect(cache == "max-age=60")
            // And our own /v2 takes it.
            #expect(try await server.get("/v2/events", token: token).status == .ok)
        }
    }

    @Test("A rotation: old tokens still accepted, new tokens carry the new kid, both keys published", arguments: [SigningAlgorithm.es256, .hs256])
    func rotation(_ algorithm: SigningAlgorithm) async throws {
        try await TestServer.run(configure: { $0.signingAlgorithm = algorithm }) { server in
            let credentials = try await server.registerReaderWriter()
            let before = try await server.token(for: credentials)
            let oldKID = try #require(try TokenForge.json(part: 0, of: before)["kid"] as? String)
            // As `intake keys rotate --alg EdDSA` does, from another process on the same database.
            let rotated = try await KeyManager(store: server.store, cipher: .none, trail: .forTests(server.store)).rotate(to: .edDSA)
            let switched = try await eventually { server.signingKey.id == rotated.id }
            try #require(switched, "the server did not sign with the new key within 5 s")
            let after = try await server.token(for: credentials)
            #expect(try TokenForge.json(part: 0, of: after)["kid"] as? String == rotated.id)
            #expect(try TokenForge.json(part: 0, of: after)["alg"] as? String == "EdDSA")
            #expect(try await server.get("/v2/events", token: before).status == .ok, "a still-valid token was refused")
            #expect(try await server.get("/v2/events", token: after).status == .ok)
            let (keys, jwks) = try await Self.thirdPartyKeys(of: server)
            #expect(jwks.contains(rotated.id))
            #expect(jwks.contains(oldKID) == (algorithm != .hs256))
            _ = try await keys.verify(after, as: Claims.self)
            if algorithm != .hs256 { _ = try await keys.verify(before, as: Claims.self) }
        }
    }

    @Test("A retired key verifies nothing, even a token it signed that has not expired")
    func retiredKeyIsRefused() async throws {
        try await TestServer.run(configure: { $0.signingAlgorithm = .es256 }) { server in
            let credentials = try await server.registerReaderWriter()
            let old = try await server.token(for: credentials)
            #expect(try await server.get("/v2/events", token: old).status == .ok)  // verified, and remembered
            let rotated = try await KeyManager(store: server.store, cipher: .none, trail: .forTests(server.store)).rotate()
            try #require(try await eventually { server.signingKey.id == rotated.id })
            #expect(try await server.get("/v2/events", token: old).status == .ok, "retiring keys still verify")
            try await server.store.retireSigningKeys(dueAt: .max)
            await server.server.refreshKeys()
            let response = try await server.get("/v2/events", token: old)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            let jwks = try await server.request(.get, "/.well-known/jwks.json").text
            #expect(!jwks.contains(try #require(try TokenForge.json(part: 0, of: old)["kid"] as? String)))
        }
    }

    /// Behind a load balancer, a sibling that took up the rotation first hands out tokens this
    /// instance has not heard of yet: it looks the kid up instead of refusing it.
    @Test("A token of a key a sibling instance made a moment ago is accepted at once")
    func siblingRotation() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("intake.sqlite").path
            let (storeA, storeB) = (try SQLiteStore(path: path), try SQLiteStore(path: path))
            let counting = CountingStore(storeB)
            try await TestServer.run(store: storeA) { a in
                // B polls once an hour: only the lookup on an unknown kid can teach it the new key.
                try await TestServer.run(store: counting, registryPollInterval: .seconds(3600)) { b in
                    let credentials = try await a.registerReaderWriter()
                    _ = try await b.token(for: credentials)
                    _ = try await KeyManager(store: storeA, cipher: .none, trail: .forTests(storeA)).rotate(to: .es256)
                    await a.server.refreshKeys()
                    let fromA = try await a.token(for: credentials)
                    let readsBefore = counting.keySetReads
                    let response = try await b.get("/v2/events", token: fromA)
                    #expect(response.status == .ok, "\(response.text)")
                    #expect(counting.keySetReads > readsBefore)
                    // A flood of made-up kids on 20 connections costs a few reads, not one each
                    // (checks are shared, and at most one starts per 100 ms).
                    let forge = TokenForge(keyBytes: Array(repeating: 1, count: 32))
                    let claims = TokenForge.claims(for: credentials.clientID)
                    let flooded = counting.keySetReads
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for connection in 0..<20 {
                            group.addTask {
                                try await b.withExtraConnection { extra in
                                    for index in 0..<5 {
                                        let token = forge.token(header: TokenForge.header(kid: "made-up-\(connection)-\(index)"), claims: claims)
                                        let response = try await extra.execute(
                                            TestClient.Request(
                                                "/v2/events", method: .get, authority: "localhost",
                                                headers: [.authorization: "Bearer \(token)"]))
                                        #expect(response.status == .unauthorized)
                                    }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    #expect(counting.keySetReads - flooded < 30, "\(counting.keySetReads - flooded) key set reads for 100 unknown kids")
                }
            }
        }
    }

    /// A token's scopes count only as far as its client still holds them.
    @Test("A token claiming a scope its client no longer holds gets 403 for it")
    func scopesAreNarrowedByTheClient() async throws {
        try await TestServer.run { server in
            let writer = try await server.register(scopes: "events:write")
            let token = TokenForge.signed(TokenForge.claims(for: writer.clientID, scope: "events:write events:read"), key: server.signingKey)
            let read = try await server.get("/v2/events", token: token)
            #expect(read.status == .forbidden)
            #expect(read.headers[.wwwAuthenticate]?.contains(#"error="insufficient_scope""#) == true)
            let write = try await server.post("/v2/event", json: TwoServersOnPostgresTests.event("w"), token: token)
            #expect(write.status == .created)
        }
    }
}
