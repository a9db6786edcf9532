import IntakeCore
import IntakeSQLite
import Testing

@Suite("SQLiteStore as SigningKeyStore")
struct SQLiteSigningKeyStoreTests {
    @Test func theFirstCandidateIsStoredAndKept() async throws {
        try await withDatabase { _, sqlite in
            let store: any SigningKeyStore = sqlite
            let first = SigningKey.generate()
            let second = SigningKey.generate()
            #expect(first.bytes != second.bytes)
            #expect(try await store.signingKey(storingIfAbsent: first).bytes == first.bytes)
            let again = try await store.signingKey(storingIfAbsent: second)
            #expect(again.bytes == first.bytes)
            #expect(again.id == first.id)
        }
    }

    @Test func twoStoresOnOneFileAgree() async throws {
        try await withDatabase { database, a in
            let b = try database.open()
            let fromA = try await a.signingKey(storingIfAbsent: .generate())
            let fromB = try await b.signingKey(storingIfAbsent: .generate())
            #expect(fromA.bytes == fromB.bytes)
            #expect(fromA.id == fromB.id)
        }
    }

    @Test func concurrentFirstStartsAgree() async throws {
        try await withDatabase { database, a in
            let b = try database.open()
            async let fromA = a.signingKey(storingIfAbsent: .generate())
            async let fromB = b.signingKey(storingIfAbsent: .generate())
            let (keyA, keyB) = try await (fromA, fromB)
            #expect(keyA.bytes == keyB.bytes)
            #expect(try await a.signingKey(storingIfAbsent: .generate()).bytes == keyA.bytes)
        }
    }

    @Test func theKeySurvivesReopening() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let original = SigningKey.generate()
        do {
            let store = try database.open()
            _ = try await store.signingKey(storingIfAbsent: original)
        }
        let reopened = try database.open()
        #expect(try await reopened.signingKey(storingIfAbsent: .generate()).bytes == original.bytes)
    }

    @Test func aLongerKeyIsKeptWhole() async throws {
        try await withDatabase { _, store in
            let key = try SigningKey(bytes: (0..<64).map { UInt8($0) })
            #expect(try await store.signingKey(storingIfAbsent: key).bytes == key.bytes)
        }
    }
}
