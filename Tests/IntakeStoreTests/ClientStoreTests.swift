import IntakeCore
import IntakeTestSupport
import Testing

@Suite("IntakeStore as ClientStore")
struct ClientStoreTests {
    @Test(arguments: StoreKind.available)
    func insertedClientReadsBackWithEveryField(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
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

    @Test(arguments: StoreKind.available)
    func unknownClientIsNil(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let client = try await store.client(id: "nobody")
            #expect(client == nil)
            let clients = try await store.clients()
            #expect(clients.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func emptyScopesRoundTrip(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (record, _) = Fixtures.client(scopes: try ScopeSet(parsing: ""))
            try await store.insertClient(record)
            #expect(try await store.client(id: record.id)?.scopes.isEmpty == true)
        }
    }

    @Test(arguments: StoreKind.available)
    func clientsAreListedOldestFirst(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (late, _) = Fixtures.client(name: "late", createdAt: 300)
            let (early, _) = Fixtures.client(name: "early", createdAt: 100)
            let (middle, _) = Fixtures.client(name: "middle", createdAt: 200)
            for client in [late, early, middle] { try await store.insertClient(client) }
            #expect(try await store.clients().map(\.name) == ["early", "middle", "late"])
        }
    }

    /// Clients registered in the same second come back in one order on every database: by id,
    /// compared byte by byte (not by the database's collation).
    @Test(arguments: StoreKind.available)
    func clientsOfTheSameSecondAreListedByID(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var ids: [String] = []
            for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
                let (client, _) = Fixtures.client(name: name, createdAt: 1_700_000_000)
                try await store.insertClient(client)
                ids.append(client.id)
            }
            // Ids mixing cases, digits, '-' and '_' are where byte order and a locale's order differ.
            for id in ["Zz", "aa", "_a", "-a", "0a", "AA"] {
                var (client, _) = Fixtures.client(createdAt: 1_700_000_000)
                client.id = id
                try await store.insertClient(client)
                ids.append(id)
            }
            let byteOrder = ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            #expect(try await store.clients().map(\.id) == byteOrder)
        }
    }

    @Test(arguments: StoreKind.available)
    func duplicateIDIsRefused(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (record, _) = Fixtures.client()
            try await store.insertClient(record)
            var copy = record
            copy.name = "other"
            await #expect(throws: (any Error).self) { try await store.insertClient(copy) }
            #expect(try await store.client(id: record.id)?.name == "crm")
            #expect(try await store.clients().count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func enableAndDisable(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (record, _) = Fixtures.client()
            try await store.insertClient(record)
            #expect(try await store.setClientEnabled(id: record.id, false))
            #expect(try await store.client(id: record.id)?.isEnabled == false)
            #expect(try await store.setClientEnabled(id: record.id, true))
            #expect(try await store.client(id: record.id)?.isEnabled == true)
            #expect(try await store.setClientEnabled(id: "nobody", false) == false)
        }
    }

    @Test(arguments: StoreKind.available)
    func replaceSecretHash(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (record, credentials) = Fixtures.client()
            try await store.insertClient(record)
            let newHash = SecretHash(of: "new-secret")
            #expect(try await store.replaceClientSecretHash(id: record.id, with: newHash, previousValidUntil: nil))
            let read = try #require(try await store.client(id: record.id))
            #expect(read.secretHash == newHash)
            #expect(read.previousSecret == nil)
            #expect(!read.secretHash.matches(Array(credentials.clientSecret.utf8)))
            #expect(try await store.replaceClientSecretHash(id: "nobody", with: newHash, previousValidUntil: nil) == false)
        }
    }

    /// The replaced hash moves to the previous secret in the same statement, with its end.
    @Test(arguments: StoreKind.available)
    func replacingWithAGraceKeepsThePreviousHash(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (record, credentials) = Fixtures.client()
            try await store.insertClient(record)
            let newHash = SecretHash(of: "new-secret")
            #expect(try await store.replaceClientSecretHash(id: record.id, with: newHash, previousValidUntil: 1_900_000_000))
            let read = try #require(try await store.client(id: record.id))
            #expect(read.secretHash == newHash)
            #expect(read.previousSecret == PreviousSecret(hash: SecretHash(of: credentials.clientSecret), validUntil: 1_900_000_000))
            #expect(read.accepts(Array(credentials.clientSecret.utf8), now: 1_899_999_999))
            #expect(!read.accepts(Array(credentials.clientSecret.utf8), now: 1_900_000_000))
            #expect(read.accepts(Array("new-secret".utf8), now: 1_900_000_000))
            // A rotation without grace forgets the previous secret.
            #expect(try await store.replaceClientSecretHash(id: record.id, with: SecretHash(of: "third"), previousValidUntil: nil))
            #expect(try await store.client(id: record.id)?.previousSecret == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func aClientsTokenLifetimeIsKept(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (client, _) = try await store.registerClient(name: "short", tokenLifetime: 300)
            #expect(try await store.client(id: client.id)?.tokenLifetime == 300)
            #expect(try await store.clients().first { $0.id == client.id }?.tokenLifetime == 300)
            let (plain, _) = try await store.registerClient(name: "default")
            #expect(try await store.client(id: plain.id)?.tokenLifetime == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func deleteClient(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
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

    @Test(arguments: StoreKind.available)
    func registerClientStoresOnlyTheHash(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
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

    @Test(arguments: StoreKind.available)
    func registerClientWithAccountAndScopes(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let scopes = try ScopeSet(parsing: "events:read")
            let (client, _) = try await store.registerClient(name: "reader", account: "acme", scopes: scopes)
            let stored = try #require(try await store.client(id: client.id))
            #expect(stored.account == "acme")
            #expect(stored.scopes == scopes)
        }
    }

    @Test(arguments: StoreKind.available)
    func rotateSecretReplacesTheSecret(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
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

    @Test(arguments: StoreKind.available)
    func versionIncreasesOnEveryInsertUpdateAndDelete(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
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

    /// The CLI and the server, or two server instances, are separate processes with their own
    /// connections: each sees the other's changes, and the version each reads moves with them.
    @Test(arguments: StoreKind.available)
    func aSecondStoreOnTheSameDatabaseSeesChangesAndVersions(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let server = try await database.open()
            let cli = try await database.open()
            let before = try await server.clientsVersion()
            let (client, credentials) = try await cli.registerClient(name: "from-cli")
            let afterInsert = try await server.clientsVersion()
            #expect(afterInsert > before)
            #expect(try await server.client(id: client.id) == client)
            #expect(try await server.clients() == [client])
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
            let afterDelete = try await server.clientsVersion()
            #expect(afterDelete > afterRotate)
            #expect(try await server.client(id: client.id) == nil)

            // And the other way round: a change through the server is seen by the CLI.
            let (other, _) = try await server.registerClient(name: "from-server")
            #expect(try await cli.clientsVersion() > afterDelete)
            #expect(try await cli.clients() == [other])
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentRegistrationsThroughTwoStoresAreAllKept(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let a = try await database.open()
            let b = try await database.open()
            let before = try await a.clientsVersion()
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    let store = index.isMultiple(of: 2) ? a : b
                    group.addTask { try await store.registerClient(name: "c\(index)").0.id }
                }
                var ids: Set<String> = []
                for try await id in group { ids.insert(id) }
                return ids
            }
            #expect(ids.count == 20)
            #expect(Set(try await a.clients().map(\.id)) == ids)
            #expect(Set(try await b.clients().map(\.id)) == ids)
            #expect(try await b.clientsVersion() >= before + 20, "every insert moves the version")
        }
    }

    @Test(arguments: StoreKind.available)
    func aStoreIsReady(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.checkReadiness()
        }
    }
}
