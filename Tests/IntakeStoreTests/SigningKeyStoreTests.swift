import IntakeCore
import Testing

@Suite("IntakeStore as SigningKeyStore")
struct SigningKeyStoreTests {
    @Test(arguments: StoreKind.available)
    func theFirstCandidateIsStoredAndKept(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = SigningKey.generate()
            let second = SigningKey.generate()
            #expect(first.bytes != second.bytes)
            #expect(try await store.signingKey(storingIfAbsent: first).bytes == first.bytes)
            let again = try await store.signingKey(storingIfAbsent: second)
            #expect(again.bytes == first.bytes)
            #expect(again.id == first.id)
        }
    }

    /// Instances sharing a database sign and verify with one key, without any configuration.
    @Test(arguments: StoreKind.available)
    func twoStoresOnOneDatabaseAgree(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let a = try await database.open()
            let b = try await database.open()
            let fromA = try await a.signingKey(storingIfAbsent: .generate())
            let fromB = try await b.signingKey(storingIfAbsent: .generate())
            #expect(fromA.bytes == fromB.bytes)
            #expect(fromA.id == fromB.id)
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentFirstStartsAgree(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            var stores: [any IntakeStore] = []
            for _ in 0..<4 { stores.append(try await database.open()) }
            let keys = try await withThrowingTaskGroup(of: SigningKey.self) { group in
                for store in stores {
                    group.addTask { try await store.signingKey(storingIfAbsent: .generate()) }
                }
                var keys: [SigningKey] = []
                for try await key in group { keys.append(key) }
                return keys
            }
            #expect(keys.count == 4)
            #expect(Set(keys.map(\.bytes)).count == 1, "concurrent first starts chose different keys")
            #expect(try await stores[0].signingKey(storingIfAbsent: .generate()).bytes == keys[0].bytes)
        }
    }

    @Test(arguments: StoreKind.available)
    func aLongerKeyIsKeptWhole(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let key = try SigningKey(bytes: (0..<64).map { UInt8($0) })
            #expect(try await store.signingKey(storingIfAbsent: key).bytes == key.bytes)
        }
    }
}
