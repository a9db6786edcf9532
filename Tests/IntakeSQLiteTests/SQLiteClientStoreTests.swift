import IntakeCore
import IntakeSQLite
import Testing

@Suite("SQLiteStore as ClientStore")
struct SQLiteClientStoreTests {
    @Test func insertedClientReadsBackWithEveryField() async throws {
        try await withDatabase { _, sqlite in
            let store: any ClientStore = sqlite
            let (record, credentials) = Fixtures.client(
                name: "CRM – Ünïcode", account: "acme", scopes: try ScopeSet(parsing: "events:write events:read"),
                enabled: false, createdAt: 1_699_999_999)
            try await store.insertClient(record)
            let read = try #require(try await store.client(id: record.id))
            #expect(read == record)
            #expect(read.secretHash.matches(Array(credentials.clientSecret.utf8)))
            #expect(try await store.clients() == [record])
        }
    }

    @Test func unknownClientIsNil() async throws {
        try await withDatabase { _, store in
            let client = try await store.client(id: "nobody")
            #expect(client == nil)
            let clients = try await store.clients()
            #expect(clients.isEmpty)
        }
    }

    @Test func emptyScopesRoundTrip() async throws {
        try await withDatabase { _, store in
            let (record, _) = Fixtures.client(scopes: try ScopeSet(parsing: ""))
            try await store.insertClient(record)
            #expect(try await store.client(id: record.id)?.scopes.isEmpty == true)
        }
    }

    @Test func clientsAreListedOldestFirst() async throws {
        try await withDatabase { _, store in
            let (late, _) = Fixtures.client(name: "late", createdAt: 300)
            let (early, _) = Fixtures.client(name: "early", createdAt: 100)
            let (middle, _) = Fixtures.client(name: "middle", createdAt: 200)
            for client in [late, early, middle] { try await store.insertClient(client) }
            #expect(try await store.clients().map(\.name) == ["early", "middle", "late"])
        }
    }

    @Test func duplicateIDIsRefused() async throws {
        try await withDatabase { _, store in
            let (record, _) = Fixtures.client()
            try await store.insertClient(record)
            var copy = record
            copy.name = "other"
            await #expect(throws: (any Error).self) { try await store.insertClient(copy) }
            #expect(try await store.client(id: record.id)?.name == "crm")
        }
    }

    @Test func enableAndDisable() async throws {
        try await withDatabase { _, store in
            let (record, _) = Fixtures.client()
            try await store.insertClient(record)
            #expect(try await store.setClientEnabled(id: record.id, false))
            #expect(try await store.client(id: record.id)?.isEnabled == false)
            #expect(try await store.setClientEnabled(id: record.id, true))
            #expect(try await store.client(id: record.id)?.isEnabled == true)
            #expect(try await store.setClientEnabled(id: "nobody", false) == false)
        }
    }

    @Test func setSecretHash() async throws {
        try await withDatabase { _, store in
            let (record, credentials) = Fixtures.client()
            try await store.insertClient(record)
            let newHash = SecretHash(of: "new-secret")
            #expect(try await store.setClientSecretHash(id: record.id, newHash))
            let read = try #require(try await store.client(id: record.id))
            #expect(read.secretHash == newHash)
            #expect(!read.secretHash.matches(Array(credentials.clientSecret.utf8)))
            #expect(try await store.setClientSecretHash(id: "nobody", newHash) == false)
        }
    }

    @Test func deleteClient() async throws {
        try await withDatabase { _, store in
            let (a, _) = Fixtures.client(name: "a")
            let (b, _) = Fixtures.client(name: "b")
            try await store.insertClient(a)
            try await store.insertClient(b)
            #expect(try await store.deleteClient(id: a.id))
            #expect(try await store.client(id: a.id) == nil)
            #expect(try await store.clients() == [b])
            #expect(try await store.deleteClient(id: a.id) == false)
            #expect(try await store.deleteClient(id: "nobody") == false)
        }
    }

    @Test func registerClientStoresOnlyTheHash() async throws {
        try await withDatabase { _, sqlite in
            let store: any ClientStore = sqlite
            let (client, credentials) = try await store.registerClient(name: "crm")
            #expect(client.id == credentials.clientID)
            #expect(credentials.clientID.count == 22)
            #expect(credentials.clientSecret.count == 43)
            let stored = try #require(try await store.client(id: credentials.clientID))
            #expect(stored == client)
            #expect(stored.name == "crm")
            #expect(stored.account == "default")
            #expect(stored.scopes == .defaultForNewClients)
            #expect(stored.isEnabled)
            #expect(stored.secretHash == SecretHash(of: credentials.clientSecret))
            #expect(stored.secretHash.bytes != Array(credentials.clientSecret.utf8))
        }
    }

    @Test func registerClientWithAccountAndScopes() async throws {
        try await withDatabase { _, store in
            let scopes = try ScopeSet(parsing: "events:read")
            let (client, _) = try await store.registerClient(name: "reader", account: "acme", scopes: scopes)
            let stored = try #require(try await store.client(id: client.id))
            #expect(stored.account == "acme")
            #expect(stored.scopes == scopes)
        }
    }

    @Test func rotateSecretReplacesTheSecret() async throws {
        try await withDatabase { _, sqlite in
            let store: any ClientStore = sqlite
            let (client, old) = try await store.registerClient(name: "crm")
            let new = try #require(try await store.rotateSecret(clientID: client.id))
            #expect(new.clientID == client.id)
            #expect(new.clientSecret != old.clientSecret)
            #expect(new.clientSecret.count == 43)
            let stored = try #require(try await store.client(id: client.id))
            #expect(stored.secretHash.matches(Array(new.clientSecret.utf8)))
            #expect(!stored.secretHash.matches(Array(old.clientSecret.utf8)))
            #expect(try await store.rotateSecret(clientID: "nobody") == nil)
        }
    }

    @Test func versionIncreasesOnEveryInsertUpdateAndDelete() async throws {
        try await withDatabase { _, store in
            var last = try await store.clientsVersion()
            func expectIncrease(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let now = try await store.clientsVersion()
                #expect(now > last, "\(what): \(now) is not above \(last)", sourceLocation: sourceLocation)
                last = now
            }
            let (client, _) = try await store.registerClient(name: "a")
            try await expectIncrease("insert")
            _ = try await store.registerClient(name: "b")
            try await expectIncrease("second insert")
            _ = try await store.setClientEnabled(id: client.id, false)
            try await expectIncrease("disable")
            _ = try await store.setClientEnabled(id: client.id, true)
            try await expectIncrease("enable")
            _ = try await store.rotateSecret(clientID: client.id)
            try await expectIncrease("rotate")
            _ = try await store.deleteClient(id: client.id)
            try await expectIncrease("delete")
            _ = try await store.clients()
            _ = try await store.client(id: "x")
            #expect(try await store.clientsVersion() == last, "reads must not change the version")
        }
    }

    @Test func aSecondStoreOnTheSameFileSeesChangesAndVersions() async throws {
        try await withDatabase { database, server in
            // The CLI and the server are two processes with their own connections.
            let cli = try database.open()
            let before = try await server.clientsVersion()
            let (client, credentials) = try await cli.registerClient(name: "from-cli")
            let afterInsert = try await server.clientsVersion()
            #expect(afterInsert > before)
            #expect(try await server.client(id: client.id) == client)
            #expect(try await cli.clientsVersion() == afterInsert)

            _ = try await cli.setClientEnabled(id: client.id, false)
            let afterDisable = try await server.clientsVersion()
            #expect(afterDisable > afterInsert)
            #expect(try await server.client(id: client.id)?.isEnabled == false)

            let rotated = try #require(try await cli.rotateSecret(clientID: client.id))
            let afterRotate = try await server.clientsVersion()
            #expect(afterRotate > afterDisable)
            let seen = try #require(try await server.client(id: client.id))
            #expect(seen.secretHash.matches(Array(rotated.clientSecret.utf8)))
            #expect(!seen.secretHash.matches(Array(credentials.clientSecret.utf8)))

            _ = try await cli.deleteClient(id: client.id)
            #expect(try await server.clientsVersion() > afterRotate)
            #expect(try await server.client(id: client.id) == nil)
        }
    }

    @Test func clientsSurviveReopening() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let client: ClientRecord
        let version: Int64
        do {
            let store = try database.open()
            (client, _) = try await store.registerClient(name: "durable", account: "acme")
            version = try await store.clientsVersion()
        }
        let reopened = try database.open()
        #expect(try await reopened.client(id: client.id) == client)
        #expect(try await reopened.clientsVersion() == version)
    }
}
