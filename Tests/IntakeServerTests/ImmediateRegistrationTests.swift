import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakePostgres
import IntakeSQLite
import IntakeTestSupport
import NIOCore
import Testing

/// A client created, enabled or given a new secret by another process (the CLI, another instance)
/// is accepted by a running server at once, not after its next registry poll. The server here
/// polls once a minute, so only the check on a failed authentication can make these pass.
@Suite("Registry changes take effect at once")
struct ImmediateRegistrationTests {
    enum Database: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }

        static var available: [Database] { PostgresTestDatabase.isConfigured ? allCases : [.sqlite] }
    }

    /// A server over one store and, as the CLI would be, a second store on the same database.
    static func withServerAndCLI(
        _ database: Database, _ body: @escaping @Sendable (TestServer, any IntakeStore) async throws -> Void
    ) async throws {
        switch database {
        case .sqlite:
            try await TemporaryDirectory.with { directory in
                let path = directory.appendingPathComponent("intake.sqlite").path
                let cli = try SQLiteStore(path: path)
                try await TestServer.run(store: try SQLiteStore(path: path), registryPollInterval: .seconds(60)) { server in
                    try await body(server, cli)
                }
            }
        case .postgres:
            try await PostgresTestDatabase.withFreshDatabase { name in
                let url = try PostgresTestDatabase.url(database: name)
                try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { serverStore in
                    try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { cli in
                        try await TestServer.run(store: serverStore, registryPollInterval: .seconds(60)) { server in
                            try await body(server, cli)
                        }
                    }
                }
            }
        }
    }

    @Test("create, then a token at once: 20 times in a row, never a 401", arguments: Database.available)
    func createThenToken(_ database: Database) async throws {
        try await Self.withServerAndCLI(database) { server, cli in
            for round in 0..<20 {
                let (_, credentials) = try await cli.registerClient(name: "provisioned-\(round)")
                let response = try await server.tokenRequest(credentials)
                #expect(response.status == .ok, "round \(round): \(response.status) \(response.text)")
            }
        }
    }

    @Test("enable and rotate-secret take effect at once", arguments: Database.available)
    func enableAndRotate(_ database: Database) async throws {
        try await Self.withServerAndCLI(database) { server, cli in
            let (client, credentials) = try await cli.registerClient(name: "partner")
            #expect(try await server.tokenRequest(credentials).status == .ok)
            #expect(try await cli.setClientEnabled(id: client.id, false))
            // Disabling is seen at the next poll (or the next failed authentication); enabling at once.
            #expect(try await cli.setClientEnabled(id: client.id, true))
            #expect(try await server.tokenRequest(credentials).status == .ok)

            let rotated = try #require(try await cli.rotateSecret(clientID: client.id))
            let response = try await server.tokenRequest(rotated)
            #expect(response.status == .ok, "\(response.status) \(response.text)")
        }
    }

    @Test("a burst of unknown ids costs the database a few checks, not one per request")
    func unknownIDsAreCoalesced() async throws {
        try await TemporaryDirectory.with { directory in
            let store = CountingStore(try SQLiteStore(path: directory.appendingPathComponent("intake.sqlite").path))
            try await TestServer.run(store: store, registryPollInterval: .seconds(60)) { server in
                let before = store.versionReads
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for round in 0..<50 {
                        let request = TestClient.Request(
                            "/oauth2/token", method: .post, authority: "localhost",
                            headers: [.contentType: "application/x-www-form-urlencoded",
                                      .authorization: basic("stranger-\(round)", "wrong")],
                            body: ByteBuffer(string: "grant_type=client_credentials"))
                        group.addTask {
                            let response = try await server.withExtraConnection { try await $0.execute(request) }
                            #expect(response.status == .unauthorized)
                        }
                    }
                    try await group.waitForAll()
                }
                let reads = store.versionReads - before
                #expect(reads >= 1, "a failed authentication did not check the store")
                #expect(reads < 25, "\(reads) version reads for 50 failed authentications")
            }
        }
    }
}
