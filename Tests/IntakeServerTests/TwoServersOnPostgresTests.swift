import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakePostgres
import IntakeTestSupport
import Testing

/// Issue 5: several stateless instances on one PostgreSQL share the signing key, the clients and
/// the events. Each server here has its own store and connection pool, as two processes would,
/// and polls the registry at the production interval (1 s).
@Suite(
    "Two servers on one PostgreSQL",
    .enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.skipMessage)))
struct TwoServersOnPostgresTests {
    static func event(_ name: String) -> String {
        #"{"event_type":"lead","event_name":"\#(name)","source_id":"form-1","fields":{"n":"\#(name)"}}"#
    }

    /// Runs two servers, A and B, each over its own store on one fresh database.
    static func withTwoServers(_ body: @escaping @Sendable (TestServer, TestServer) async throws -> Void) async throws {
        try await PostgresTestDatabase.withFreshDatabase { name in
            let url = try PostgresTestDatabase.url(database: name)
            try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { storeA in
                try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { storeB in
                    try await TestServer.run(store: storeA, registryPollInterval: .seconds(1)) { a in
                        try await TestServer.run(store: storeB, registryPollInterval: .seconds(1)) { b in
                            try await body(a, b)
                        }
                    }
                }
            }
        }
    }

    @Test("A new client's first token from A is accepted by B at once, before B's next poll")
    func aNewClientsTokenWorksOnASiblingAtOnce() async throws {
        try await Self.withTwoServers { a, b in
            for round in 0..<3 {
                // Made and used within one poll interval of B (1 s): B looks the client up on the miss.
                let credentials = try await a.registerReaderWriter()
                let token = try await a.token(for: credentials)
                let sent = try await b.post("/v2/event", json: Self.event("new-client-\(round)"), token: token)
                #expect(sent.status == .created, "round \(round): \(sent.text)")
            }
        }
    }

    @Test("A token from A works on B; events sent through both read back from either; a client disabled through A is refused by B within 5 s")
    func twoServersShareOneDatabase() async throws {
        try await Self.withTwoServers { a, b in
            #expect(a.signingKey.bytes == b.signingKey.bytes, "the instances did not agree on one signing key")
            #expect(try await a.request(.get, "/ready").status == .ok)
            #expect(try await b.request(.get, "/ready").status == .ok)

            // A client created through A's database connection; B learns of it by polling.
            let credentials = try await a.registerReaderWriter()
            let knownOnB = try await eventually { try await b.tokenRequest(credentials).status == .ok }
            try #require(knownOnB, "B did not pick up a client created through A within 5 s")

            // A token from A works on B, and one from B on A.
            let tokenA = try await a.token(for: credentials)
            let tokenB = try await b.token(for: credentials)
            let sentOnB = try await b.post("/v2/event", json: Self.event("a-token-on-b"), token: tokenA)
            #expect(sentOnB.status == .created, "\(sentOnB.text)")
            let sentOnA = try await a.post("/v2/event", json: Self.event("b-token-on-a"), token: tokenB)
            #expect(sentOnA.status == .created, "\(sentOnA.text)")

            // Events sent through both, alternately, read back whole and in one order from either.
            var sent: [(name: String, id: Int64)] = [
                ("a-token-on-b", try #require(try sentOnB.json()["id"]?.integer)),
                ("b-token-on-a", try #require(try sentOnA.json()["id"]?.integer)),
            ]
            for index in 0..<10 {
                let (server, token, via) = index.isMultiple(of: 2) ? (a, tokenA, "a") : (b, tokenB, "b")
                let name = "via-\(via)-\(index)"
                let response = try await server.post("/v2/event", json: Self.event(name), token: token)
                try #require(response.status == .created, "\(name): \(response.status) \(response.text)")
                sent.append((name, try #require(try response.json()["id"]?.integer)))
            }
            #expect(Set(sent.map(\.id)).count == sent.count, "two events got the same id")
            let fromA = try await a.allEvents(token: tokenB)
            let fromB = try await b.allEvents(token: tokenA)
            #expect(fromA == fromB, "the two servers read back different events")
            let ordered = sent.sorted { $0.id < $1.id }
            #expect(fromA.compactMap { $0["id"]?.integer } == ordered.map(\.id))
            #expect(fromB.compactMap { $0["event_name"]?.string } == ordered.map(\.name))

            // Disabled through A's store: B refuses its token requests and its bearer tokens within 5 s.
            #expect(try await a.store.setClientEnabled(id: credentials.clientID, false))
            let refusedByB = try await eventually(within: .seconds(5)) {
                let tokenStatus = try await b.tokenRequest(credentials).status
                let postStatus = try await b.post("/v2/event", json: Self.event("after-disable"), token: tokenA).status
                return tokenStatus == .unauthorized && postStatus == .unauthorized
            }
            #expect(refusedByB, "a client disabled through A was still accepted by B after 5 s")
            let refusedByA = try await eventually(within: .seconds(5)) {
                try await a.get("/v2/events", token: tokenB).status == .unauthorized
            }
            #expect(refusedByA, "a client disabled through A was still accepted by A after 5 s")
        }
    }

    @Test("A token revoked through A is refused by B within 5 s; a key rotated through A signs on B within 5 s")
    func revocationAndRotationReachTheOtherInstance() async throws {
        try await Self.withTwoServers { a, b in
            let credentials = try await a.registerReaderWriter()
            let token = try await a.token(for: credentials)
            #expect(try await eventually { try await b.post("/v2/event", json: Self.event("before"), token: token).status == .created })
            #expect(try await a.formPost("/oauth2/revoke", "token=" + formEncoded(token), as: credentials).status == .ok)
            #expect(try await a.post("/v2/event", json: Self.event("on-a"), token: token).status == .unauthorized, "refused at once where revoked")
            #expect(try await eventually { try await b.post("/v2/event", json: Self.event("on-b"), token: token).status == .unauthorized })

            let rotated = try await KeyManager(store: a.store, cipher: .none, trail: .forTests(a.store)).rotate(to: .es256)
            #expect(try await eventually { b.signingKey.id == rotated.id }, "B did not sign with the new key within 5 s")
        }
    }
}
