import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakePostgres
import IntakeSQLite
import IntakeServer
import IntakeTestSupport
import NIOCore
import Testing

/// The admin API on the operators' listener, as an operator's script uses it: bearer-token
/// guarded, JSON in and out, each change effective on this instance when the answer arrives and on
/// a sibling within its poll, and in the audit trail.
@Suite("Admin API")
struct AdminAPITests {
    static let adminToken = "admin-token-for-tests-0123456789abcdef"

    static func withAdmin(
        pollInterval: Duration = .milliseconds(100),
        throttlePolicy: AuthenticationThrottle.Policy = .init(),
        _ body: @escaping @Sendable (TestServer, Admin) async throws -> Void
    ) async throws {
        try await TestServer.run(configure: { $0.adminToken = adminToken; $0.throttlePolicy = throttlePolicy }) { server in
            try await server.withAdminListener { client in try await body(server, Admin(client: client)) }
        }
    }

    /// Requests to the admin listener, with the admin token unless told otherwise.
    struct Admin: Sendable {
        let client: any TestClientProtocol

        func request(
            _ method: HTTPRequest.Method, _ path: String, json: String? = nil, authorization: String? = "Bearer \(AdminAPITests.adminToken)",
            contentType: String = "application/json"
        ) async throws -> TestResponse {
            var headers: HTTPFields = [:]
            if let authorization { headers[.authorization] = authorization }
            if json != nil { headers[.contentType] = contentType }
            return try await client.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        }

        /// Creates a client and returns its credentials from the answer.
        func createClient(_ json: String = #"{"name":"crm","scope":"events:write events:read"}"#) async throws -> ClientCredentials {
            let created = try await request(.post, "/admin/clients", json: json)
            try #require(created.status == .created, "\(created.status) \(created.text)")
            let body = try created.json()
            return ClientCredentials(
                clientID: try #require(body["client_id"]?.string), clientSecret: try #require(body["client_secret"]?.string))
        }
    }

    @Test("Without INTAKE_ADMIN_TOKEN the admin API is off (404 that says so); /metrics is still served")
    func offWithoutToken() async throws {
        try await TestServer.run { server in
            try await server.withAdminListener { client in
                let admin = Admin(client: client)
                let listed = try await admin.request(.get, "/admin/clients")
                #expect(listed.status == .notFound)
                #expect(listed.headers[.contentType] == "application/problem+json")
                #expect(try listed.json()["detail"]?.string?.contains("INTAKE_ADMIN_TOKEN") == true, "\(listed.text)")
                #expect(try await admin.request(.post, "/admin/keys/rotate").status == .notFound)
                #expect(try await admin.request(.get, "/metrics", authorization: nil).status == .ok)
            }
        }
    }

    @Test("Anything but the admin token is 401 with a Bearer challenge", arguments: [
        nil, "Bearer wrong", "Bearer \(adminToken)x", "Basic \(adminToken)", "Bearer", "Token \(adminToken)",
    ])
    func refusesOtherCredentials(authorization: String?) async throws {
        try await Self.withAdmin { _, admin in
            let refused = try await admin.request(.get, "/admin/clients", authorization: authorization)
            #expect(refused.status == .unauthorized, "\(refused.text)")
            #expect(refused.headers[.wwwAuthenticate] == #"Bearer realm="intake-admin""#)
            #expect(!refused.text.contains(Self.adminToken))
            #expect(try await admin.request(.get, "/admin/clients", authorization: "bearer \(Self.adminToken)").status == .ok)
        }
    }

    @Test("Failed admin authentications are throttled per source address past the budget, and each is audited")
    func failedAuthenticationsAreThrottledAndAudited() async throws {
        // Ten failures, then one an hour: none is paid back however slowly a full run goes.
        try await Self.withAdmin(throttlePolicy: .init(burst: 10, interval: 3_600_000)) { server, admin in
            var statuses: [Int] = []
            for _ in 0..<10 {
                statuses.append(try await admin.request(.get, "/admin/clients", authorization: "Bearer guess-\(statuses.count)").status.code)
            }
            #expect(statuses == Array(repeating: 401, count: 10))
            // Past the budget even the right token is not looked at.
            let throttled = try await admin.request(.get, "/admin/clients")
            #expect(throttled.status == .tooManyRequests, "\(throttled.text)")
            #expect(throttled.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
            let audited = try await server.store.auditEntries(since: 0, limit: 100).filter { $0.action == .adminAuthenticationFailed }
            #expect(audited.count == 10)
            #expect(audited.allSatisfy { $0.subject == "127.0.0.1" }, "\(audited)")
            #expect(!audited.contains { $0.detail.contains("guess") }, "a presented token reached the audit trail")
        }
    }

    @Test("Silent connections filling the operators' listener make room for an operator's request")
    func silentConnectionsDoNotBlockTheAdminListener() async throws {
        try await Self.withAdmin { _, admin in
            let port = try #require(admin.client.port)
            var silent: [RawConnection] = []
            for _ in 0..<80 { silent.append(try RawConnection(port: port)) }
            let operatorConnection = try RawConnection(port: port)
            try operatorConnection.send("GET /admin/clients HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(Self.adminToken)\r\n\r\n")
            let answer = await operatorConnection.read(timeout: .seconds(5)) { $0.contains("\r\n\r\n[") }
            #expect(answer.text.hasPrefix("HTTP/1.1 200"), "\(answer.text)")
            _ = silent
        }
    }

    @Test("A body declared larger than 64 KiB is answered 413 at once, without waiting for it")
    func declaredOversizeBody() async throws {
        try await Self.withAdmin { _, admin in
            let connection = try RawConnection(port: try #require(admin.client.port))
            try connection.send(
                "POST /admin/clients HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(Self.adminToken)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
            // Well under the 30 s body timeout that answered before.
            let answer = await connection.read(timeout: .seconds(5)) { $0.contains("\r\n\r\n") && $0.contains("}") }
            #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text)")
            #expect(answer.text.contains("65536"), "\(answer.text)")
        }
    }

    @Test("The public listener serves neither /metrics nor /admin")
    func publicListenerServesNoAdminRoutes() async throws {
        try await Self.withAdmin { server, _ in
            #expect(try await server.request(.get, "/metrics").status == .notFound)
            let admin = try await server.request(.get, "/admin/clients", headers: [.authorization: "Bearer \(Self.adminToken)"])
            #expect(admin.status == .notFound)
        }
    }

    @Test("A client created through the API gets a token at once; lists and reads never show a secret")
    func createAndRead() async throws {
        try await Self.withAdmin { server, admin in
            let created = try await admin.request(
                .post, "/admin/clients", json: #"{"name":"crm","scope":"events:write events:read","account":"acme","token_ttl":600}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.cacheControl] == "no-store")
            let body = try created.json()
            let id = try #require(body["client_id"]?.string)
            let secret = try #require(body["client_secret"]?.string)
            #expect(created.headers[.location] == "/admin/clients/\(id)")
            #expect(body["account"]?.string == "acme")
            #expect(body["token_ttl"]?.integer == 600)
            #expect(body["disabled"] == .bool(false))

            // At once, on the public listener: no waiting for a poll.
            let token = try await server.tokenRequest(ClientCredentials(clientID: id, clientSecret: secret))
            #expect(token.status == .ok, "\(token.text)")
            #expect(try token.json()["expires_in"]?.integer == 600)

            let listed = try await admin.request(.get, "/admin/clients")
            #expect(listed.status == .ok)
            let entry = try #require(try listed.json().array?.first { $0["client_id"]?.string == id })
            #expect(entry["name"]?.string == "crm")
            #expect(entry["scope"]?.string == "events:write events:read")
            let read = try await admin.request(.get, "/admin/clients/\(id)")
            #expect(read.status == .ok)
            #expect(try read.json()["client_id"]?.string == id)
            for answer in [listed, read] {
                #expect(!answer.text.contains(secret))
                #expect(!answer.text.contains("secret"), "\(answer.text)")
            }
            let missing = try await admin.request(.get, "/admin/clients/no-such-client")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("Disabling refuses the client's tokens and credentials at once; enabling restores them; delete is 204 then 404")
    func disableEnableDelete() async throws {
        try await Self.withAdmin { server, admin in
            let credentials = try await admin.createClient()
            let token = try await server.token(for: credentials)
            let event = #"{"event_type":"lead","event_name":"x","source_id":"s","fields":{}}"#
            #expect(try await server.post("/v2/event", json: event, token: token).status == .created)

            let disabled = try await admin.request(.patch, "/admin/clients/\(credentials.clientID)", json: #"{"disabled":true}"#)
            #expect(disabled.status == .ok, "\(disabled.text)")
            #expect(try disabled.json()["disabled"] == .bool(true))
            #expect(try await server.post("/v2/event", json: event, token: token).status == .unauthorized)
            #expect(try await server.tokenRequest(credentials).status == .unauthorized)

            let enabled = try await admin.request(.patch, "/admin/clients/\(credentials.clientID)", json: #"{"disabled":false}"#)
            #expect(try enabled.json()["disabled"] == .bool(false))
            #expect(try await server.post("/v2/event", json: event, token: token).status == .created)

            #expect(try await admin.request(.delete, "/admin/clients/\(credentials.clientID)").status == .noContent)
            #expect(try await server.post("/v2/event", json: event, token: token).status == .unauthorized)
            #expect(try await server.tokenRequest(credentials).status == .unauthorized)
            #expect(try await admin.request(.delete, "/admin/clients/\(credentials.clientID)").status == .notFound)
            #expect(try await admin.request(.get, "/admin/clients/\(credentials.clientID)").status == .notFound)
        }
    }

    @Test("rotate-secret: the new secret works at once; the old one only within grace_seconds")
    func rotateSecret() async throws {
        try await Self.withAdmin { server, admin in
            let original = try await admin.createClient()
            // No body: no grace, the old secret stops at once.
            let rotated = try await admin.request(.post, "/admin/clients/\(original.clientID)/rotate-secret")
            #expect(rotated.status == .ok, "\(rotated.text)")
            #expect(rotated.headers[.cacheControl] == "no-store")
            let second = ClientCredentials(clientID: original.clientID, clientSecret: try #require(try rotated.json()["client_secret"]?.string))
            #expect(try await server.tokenRequest(second).status == .ok)
            #expect(try await server.tokenRequest(original).status == .unauthorized)

            let graced = try await admin.request(
                .post, "/admin/clients/\(original.clientID)/rotate-secret", json: #"{"grace_seconds":900}"#)
            #expect(graced.status == .ok, "\(graced.text)")
            #expect(try graced.json()["previous_secret_valid_until"]?.string != nil)
            let third = ClientCredentials(clientID: original.clientID, clientSecret: try #require(try graced.json()["client_secret"]?.string))
            #expect(try await server.tokenRequest(third).status == .ok)
            #expect(try await server.tokenRequest(second).status == .ok, "the previous secret works within its grace")
            let shown = try await admin.request(.get, "/admin/clients/\(original.clientID)")
            #expect(try shown.json()["previous_secret_valid_until"]?.string != nil)

            let tooLong = try await admin.request(
                .post, "/admin/clients/\(original.clientID)/rotate-secret", json: #"{"grace_seconds":99999999}"#)
            #expect(tooLong.status == .unprocessableContent)
            #expect(try tooLong.json().problemFields == ["grace_seconds"])
            #expect(try await admin.request(.post, "/admin/clients/nobody/rotate-secret").status == .notFound)
        }
    }

    @Test("Bad bodies get a 4xx problem that names what was wrong", arguments: [
        (#"{"name":"crm","disabled":true}"#, "application/json", 400, ["disabled"]),
        (#"{"name":"crm","scope":"a\"b"}"#, "application/json", 422, ["scope"]),
        (#"{"name":""}"#, "application/json", 422, ["name"]),
        (#"{"name":"a\u202Eb"}"#, "application/json", 422, ["name"]),
        (#"{"scope":"events:write"}"#, "application/json", 422, ["name"]),
        (#"{"name":7}"#, "application/json", 422, ["name"]),
        (#"{"name":"crm","token_ttl":"600"}"#, "application/json", 422, ["token_ttl"]),
        (#"{"name":"crm","token_ttl":0}"#, "application/json", 422, ["token_ttl"]),
        (#"{"name":"crm""#, "application/json", 400, []),
        (#"{"name":"crm","name":"other"}"#, "application/json", 400, []),
        (#"["name"]"#, "application/json", 400, []),
        (#"name=crm"#, "application/x-www-form-urlencoded", 415, []),
    ])
    func badCreateBodies(body: String, contentType: String, status: Int, fields: [String]) async throws {
        try await Self.withAdmin { _, admin in
            let answer = try await admin.request(.post, "/admin/clients", json: body, contentType: contentType)
            #expect(answer.status.code == status, "\(answer.text)")
            #expect(answer.headers[.contentType] == "application/problem+json")
            #expect(try answer.json().problemFields == fields, "\(answer.text)")
            let listed = try await admin.request(.get, "/admin/clients")
            #expect(try listed.json().array?.isEmpty == true, "nothing was created")
        }
    }

    @Test("PATCH takes exactly a boolean disabled")
    func badPatchBodies() async throws {
        try await Self.withAdmin { _, admin in
            let credentials = try await admin.createClient()
            let path = "/admin/clients/\(credentials.clientID)"
            #expect(try await admin.request(.patch, path, json: #"{"disable":true}"#).status == .badRequest)
            #expect(try await admin.request(.patch, path, json: #"{"disabled":"yes"}"#).status == .unprocessableContent)
            #expect(try await admin.request(.patch, path, json: "{}").status == .unprocessableContent)
            #expect(try await admin.request(.patch, path).status == .unsupportedMediaType)
        }
    }

    @Test("keys/rotate makes a new key of the asked algorithm that signs here at once; GET /admin/keys lists it")
    func rotateKeys() async throws {
        try await Self.withAdmin { server, admin in
            let credentials = try await admin.createClient()
            let before = try TokenForge.json(part: 0, of: try await server.token(for: credentials))["kid"] as? String
            let rotated = try await admin.request(.post, "/admin/keys/rotate", json: #"{"alg":"ES256"}"#)
            #expect(rotated.status == .ok, "\(rotated.text)")
            let kid = try #require(try rotated.json()["kid"]?.string)
            #expect(try rotated.json()["alg"]?.string == "ES256")
            let header = try TokenForge.json(part: 0, of: try await server.token(for: credentials))
            #expect(header["kid"] as? String == kid)
            #expect(header["alg"] as? String == "ES256")

            let keys = try await admin.request(.get, "/admin/keys")
            let listed = try #require(try keys.json().array)
            #expect(listed.first?["kid"]?.string == kid)
            #expect(listed.first?["status"]?.string == "active")
            #expect(listed.contains { $0["kid"]?.string == before && $0["status"]?.string == "retiring" })
            #expect(!keys.text.contains("material"))

            let bad = try await admin.request(.post, "/admin/keys/rotate", json: #"{"alg":"none"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(try bad.json().problemFields == ["alg"])
            // Without a body: the current algorithm.
            let again = try await admin.request(.post, "/admin/keys/rotate")
            #expect(try again.json()["alg"]?.string == "ES256")
        }
    }

    @Test("Every change through the API is in the audit trail, by admin")
    func changesAreAudited() async throws {
        try await Self.withAdmin { server, admin in
            let credentials = try await admin.createClient()
            let path = "/admin/clients/\(credentials.clientID)"
            _ = try await admin.request(.patch, path, json: #"{"disabled":true}"#)
            _ = try await admin.request(.patch, path, json: #"{"disabled":false}"#)
            _ = try await admin.request(.post, path + "/rotate-secret", json: #"{"grace_seconds":60}"#)
            let rotated = try await admin.request(.post, "/admin/keys/rotate")
            _ = try await admin.request(.delete, path)
            let entries = try await server.store.auditEntries(since: 0, limit: 100).filter { $0.actor == .admin }
            #expect(entries.map(\.action) == [.clientCreated, .clientDisabled, .clientEnabled, .clientSecretRotated, .keyRotated, .clientDeleted])
            #expect(entries.filter { $0.action != .keyRotated }.allSatisfy { $0.subject == credentials.clientID })
            #expect(entries.first { $0.action == .keyRotated }?.subject == (try rotated.json()["kid"]?.string))
        }
    }

    /// Two stores on one database, as two instances have: a SQLite file, or a fresh PostgreSQL
    /// database when `INTAKE_TEST_POSTGRES_URL` is set.
    static func withTwoStores(
        _ database: String, _ body: @escaping @Sendable (any IntakeStore, any IntakeStore) async throws -> Void
    ) async throws {
        guard database == "postgres" else {
            try await TemporaryDirectory.with { directory in
                let path = directory.appendingPathComponent("intake.sqlite").path
                try await body(try SQLiteStore(path: path), try SQLiteStore(path: path))
            }
            return
        }
        try await PostgresTestDatabase.withFreshDatabase { name in
            let url = try PostgresTestDatabase.url(database: name)
            try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { storeA in
                try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { storeB in
                    try await body(storeA, storeB)
                }
            }
        }
    }

    @Test(
        "A change made through one instance's API holds on a sibling sharing the database within 5 s",
        arguments: PostgresTestDatabase.isConfigured ? ["sqlite", "postgres"] : ["sqlite"])
    func siblingFollows(database: String) async throws {
        try await Self.withTwoStores(database) { storeA, storeB in
            try await TestServer.run(store: storeA, registryPollInterval: .seconds(1), configure: { $0.adminToken = Self.adminToken }) { a in
                try await TestServer.run(store: storeB, registryPollInterval: .seconds(1)) { b in
                    try await a.withAdminListener { client in
                        let admin = Admin(client: client)
                        let credentials = try await admin.createClient()
                        #expect(try await b.tokenRequest(credentials).status == .ok, "a new client is looked up at once")
                        let token = try await b.token(for: credentials)
                        _ = try await admin.request(.patch, "/admin/clients/\(credentials.clientID)", json: #"{"disabled":true}"#)
                        let refused = try await eventually(within: .seconds(5)) {
                            try await b.get("/v2/events", token: token).status == .unauthorized
                        }
                        #expect(refused, "B still accepted a disabled client's token after 5 s")

                        let kid = try #require(try await admin.request(.post, "/admin/keys/rotate").json()["kid"]?.string)
                        _ = try await admin.request(.patch, "/admin/clients/\(credentials.clientID)", json: #"{"disabled":false}"#)
                        let signsOnB = try await eventually(within: .seconds(5)) {
                            let token = try await b.token(for: credentials)
                            return try TokenForge.json(part: 0, of: token)["kid"] as? String == kid
                        }
                        #expect(signsOnB, "B did not sign with the key rotated through A within 5 s")
                    }
                }
            }
        }
    }
}
