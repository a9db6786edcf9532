import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeSQLite
import NIOCore
import IntakeTestSupport
import Testing

/// A change made to the client registry while a server runs takes effect without a restart.
@Suite("Registry refresh")
struct RegistryRefreshTests {
    @Test("A client created while the server runs can get a token within 5 s")
    func clientCreatedWhileRunning() async throws {
        try await TestServer.run { server in
            // The server is already serving.
            #expect(try await server.request(.get, "/health").status == .ok)
            let credentials = try await server.registerWithoutWaiting(name: "late")
            let ready = try await eventually {
                try await server.tokenRequest(credentials).status == .ok
            }
            #expect(ready, "the new client was not recognised within 5 s")
            let token = try await server.token(for: credentials)
            let response = try await server.post(
                "/v2/event",
                json: #"{"event_type":"lead","event_name":"n","source_id":"s","fields":{}}"#, token: token)
            #expect(response.status == .created)
        }
    }

    @Test("After rotate-secret the old secret is refused and the new one accepted within 5 s")
    func rotatedSecret() async throws {
        try await TestServer.run { server in
            let old = try await server.register()
            #expect(try await server.tokenRequest(old).status == .ok)
            let new = try #require(try await server.store.rotateSecret(clientID: old.clientID))
            #expect(new.clientID == old.clientID)
            #expect(new.clientSecret != old.clientSecret)
            let switched = try await eventually {
                let oldStatus = try await server.tokenRequest(old).status
                let newStatus = try await server.tokenRequest(new).status
                return oldStatus == .unauthorized && newStatus == .ok
            }
            #expect(switched, "the rotation did not take effect within 5 s")
            let refused = try await server.tokenRequest(old)
            try expectOAuthError(refused, status: .unauthorized, error: "invalid_grant")
            #expect(refused.text == TokenEndpointTests.invalidCredentialsBody)
            #expect(!refused.text.contains(old.clientSecret))
            let accepted = try await server.tokenRequest(new)
            #expect(accepted.status == .ok)
            #expect(!accepted.text.contains(new.clientSecret))
        }
    }

    @Test("A disabled client is refused within 5 s and accepted again once enabled")
    func disableAndEnable() async throws {
        try await TestServer.run { server in
            let credentials = try await server.register()
            #expect(try await server.tokenRequest(credentials).status == .ok)
            #expect(try await server.store.setClientEnabled(id: credentials.clientID, false))
            let refused = try await eventually {
                try await server.tokenRequest(credentials).status == .unauthorized
            }
            #expect(refused, "disable did not take effect within 5 s")
            #expect(try await server.tokenRequest(credentials).text == TokenEndpointTests.invalidCredentialsBody)
            #expect(try await server.store.setClientEnabled(id: credentials.clientID, true))
            let accepted = try await eventually {
                try await server.tokenRequest(credentials).status == .ok
            }
            #expect(accepted, "enable did not take effect within 5 s")
        }
    }

    @Test("Two instances over one database: one signing key, tokens valid on both, registry changes seen by both")
    func twoInstancesShareADatabase() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("intake.sqlite").path
            try await TestServer.run(databasePath: path) { first in
                try await TestServer.run(databasePath: path) { second in
                    #expect(first.signingKey.bytes == second.signingKey.bytes)
                    let credentials = try await first.register()
                    let known = try await eventually {
                        try await second.tokenRequest(credentials).status == .ok
                    }
                    #expect(known, "the second instance did not see the new client within 5 s")
                    let reader = try await second.register(name: "reader", scopes: "events:read")
                    let tokenFromFirst = try await first.token(for: credentials)
                    let sent = try await second.post(
                        "/v2/event", json: #"{"event_type":"lead","event_name":"n","source_id":"s","fields":{}}"#,
                        token: tokenFromFirst)
                    #expect(sent.status == .created, "\(sent.text)")
                    let readerToken = try await second.eventuallyToken(for: reader)
                    let readerTokenOnFirst = try await eventually {
                        try await first.get("/v2/events", token: readerToken).status == .ok
                    }
                    #expect(readerTokenOnFirst)
                    #expect(try await first.allEvents(token: readerToken).count == 1)

                    #expect(try await second.store.setClientEnabled(id: credentials.clientID, false))
                    let refusedOnFirst = try await eventually {
                        try await first.post(
                            "/v2/event", json: #"{"event_type":"lead","event_name":"n","source_id":"s","fields":{}}"#,
                            token: tokenFromFirst
                        ).status == .unauthorized
                    }
                    #expect(refusedOnFirst, "a client disabled through one instance's database still works on the other")
                }
            }
        }
    }

    @Test("A deleted client is refused within 5 s; its events stay readable by its account")
    func deletedClient() async throws {
        try await TestServer.run { server in
            let sender = try await server.register(name: "sender")
            let reader = try await server.register(name: "reader", scopes: "events:read")
            let senderToken = try await server.token(for: sender)
            let readerToken = try await server.token(for: reader)
            let sent = try await server.post(
                "/v2/event", json: #"{"event_type":"lead","event_name":"n","source_id":"s","fields":{}}"#,
                token: senderToken)
            #expect(sent.status == .created)
            #expect(try await server.store.deleteClient(id: sender.clientID))
            let refused = try await eventually {
                try await server.tokenRequest(sender).status == .unauthorized
            }
            #expect(refused, "delete did not take effect within 5 s")
            #expect(try await server.allEvents(token: readerToken).count == 1)
        }
    }
}
