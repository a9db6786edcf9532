import Foundation
import IntakeCore
import IntakeTestSupport
import Testing

/// The key set in each database: one active key whatever races, rotations that retire the old key
/// after the longest token lifetime, material erased at retirement and sealed when asked.
@Suite("IntakeStore as SigningKeyStore")
struct KeySetStoreTests {
    static let now: Int64 = 1_800_000_000

    @Test(arguments: StoreKind.available)
    func theFirstKeyIsMadeOnceWithTheFirstAlgorithm(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let manager = KeyManager(store: store, cipher: .none, trail: .forTests(store))
            try await manager.ensureActiveKey(algorithm: .es256, now: Self.now)
            try await manager.ensureActiveKey(algorithm: .rs256, now: Self.now + 1)
            let keys = try await store.signingKeys()
            #expect(keys.map(\.algorithm) == [.es256])
            #expect(keys.map(\.status) == [.active])
            #expect(try manager.keySet(from: keys, now: Self.now).signing.algorithm == .es256)
        }
    }

    /// Instances sharing a database sign and verify with one key, without any configuration.
    @Test(arguments: StoreKind.available)
    func concurrentFirstStartsAgreeOnOneKey(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            var stores: [any IntakeStore] = []
            for _ in 0..<4 { stores.append(try await database.open()) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores {
                    group.addTask { try await KeyManager(store: store, cipher: .none, trail: .forTests(store)).ensureActiveKey(algorithm: .edDSA) }
                }
                try await group.waitForAll()
            }
            let keys = try await stores[0].signingKeys()
            #expect(keys.count == 1, "concurrent first starts made \(keys.count) keys")
            let fromEach = try await stores.asyncMap { try KeyManager(store: $0, cipher: .none, trail: .forTests($0)).keySet(from: try await $0.signingKeys(), now: UnixTime.now()) }
            #expect(Set(fromEach.map(\.signing.id)).count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func aRotationRetiresThePreviousKeyAfterTheLongestLifetimeAndLeeway(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let manager = KeyManager(store: store, cipher: .none, trail: .forTests(store))
            try await manager.announceTokenLifetime(3600)
            try await manager.announceTokenLifetime(600)  // a shorter one does not shorten the overlap
            try await manager.ensureActiveKey(algorithm: .hs256, now: Self.now - 100)
            let first = try #require(try await store.signingKeys().first)
            let rotated = try await manager.rotate(to: .es256, now: Self.now)
            let keys = try await store.signingKeys()
            #expect(keys.map(\.id) == [rotated.id, first.id])
            #expect(keys.map(\.status) == [.active, .retiring])
            #expect(keys[1].retiresAt == Self.now + KeyLifecycle.propagation + 3600 + AccessTokenVerifier.leeway)
            // Both verify until then; the new one signs.
            let set = try manager.keySet(from: keys, now: Self.now + 3600)
            #expect(set.signing.id == rotated.id)
            #expect(set.verification.map(\.id) == [rotated.id, first.id])
            #expect(set.published.map(\.id) == [rotated.id], "an HS256 secret must never be published")
            // Without an algorithm, a rotation keeps the current key's.
            #expect(try await manager.rotate(now: Self.now + 1).algorithm == .es256)
        }
    }

    @Test(arguments: StoreKind.available)
    func aRetiredKeyNoLongerVerifiesAndItsMaterialIsErased(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let manager = KeyManager(store: store, cipher: .none, trail: .forTests(store))
            try await manager.announceTokenLifetime(60)
            try await manager.ensureActiveKey(algorithm: .es256, now: Self.now)
            let old = try #require(try await store.signingKeys().first)
            _ = try await manager.rotate(now: Self.now)
            let retiresAt = Self.now + KeyLifecycle.propagation + 60 + AccessTokenVerifier.leeway
            // Not yet marked, but past its time: it no longer verifies.
            #expect(try manager.keySet(from: try await store.signingKeys(), now: retiresAt).verification.count == 1)
            _ = try await manager.maintain(now: retiresAt - 1)
            #expect(try await store.signingKeys().first { $0.id == old.id }?.status == .retiring)
            let after = try await manager.maintain(now: retiresAt)
            let retired = try #require(after.first { $0.id == old.id })
            #expect(retired.status == .retired)
            #expect(retired.material == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func racingRotationsLeaveExactlyOneActiveKey(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            var stores: [any IntakeStore] = []
            for _ in 0..<4 { stores.append(try await database.open()) }
            try await KeyManager(store: stores[0], cipher: .none, trail: .forTests(stores[0])).ensureActiveKey(algorithm: .hs256)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores {
                    group.addTask { for _ in 0..<3 { _ = try await KeyManager(store: store, cipher: .none, trail: .forTests(store)).rotate() } }
                }
                try await group.waitForAll()
            }
            let keys = try await stores[0].signingKeys()
            #expect(keys.count == 13)
            #expect(keys.filter { $0.status == .active }.count == 1)
            #expect(keys.filter { $0.status == .retiring }.count == 12)
        }
    }

    /// Every instance runs the schedule; between them they rotate once per interval.
    @Test(arguments: StoreKind.available)
    func instancesRacingAScheduledRotationRotateOnce(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            var stores: [any IntakeStore] = []
            for _ in 0..<4 { stores.append(try await database.open()) }
            let lifecycle = KeyLifecycle(rotationInterval: 86_400)
            try await KeyManager(store: stores[0], cipher: .none, trail: .forTests(stores[0])).ensureActiveKey(algorithm: .es256, now: Self.now - 86_400)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores {
                    group.addTask { _ = try await KeyManager(store: store, cipher: .none, lifecycle: lifecycle, trail: .forTests(store)).maintain(now: Self.now) }
                }
                try await group.waitForAll()
            }
            let keys = try await stores[0].signingKeys()
            #expect(keys.map(\.status) == [.active, .retiring])
            #expect(keys.map(\.algorithm) == [.es256, .es256])
            // Not due again until a whole interval has passed.
            _ = try await KeyManager(store: stores[1], cipher: .none, lifecycle: lifecycle, trail: .forTests(stores[1])).maintain(now: Self.now + 86_399)
            #expect(try await stores[0].signingKeys().count == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func withAnEncryptionKeyTheMaterialIsSealedAndOnlyThatKeyOpensIt(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let cipher = try KeyMaterialCipher(base64URL: Self.encryptionKey(0x11))
            let manager = KeyManager(store: store, cipher: cipher, trail: .forTests(store))
            try await manager.ensureActiveKey(algorithm: .edDSA)
            let row = try #require(try await store.signingKeys().first)
            let set = try manager.keySet(from: [row], now: UnixTime.now())
            let material = try #require(row.material)
            #expect(material.count == 1 + 12 + set.signing.bytes.count + 16)
            #expect(!Self.contains(material, set.signing.bytes), "the private key is stored in the clear")

            #expect(throws: KeyMaterialError.encryptedWithoutKey) {
                _ = try KeyManager(store: store, cipher: .none, trail: .forTests(store)).keySet(from: [row], now: UnixTime.now())
            }
            let other = try KeyMaterialCipher(base64URL: Self.encryptionKey(0x22))
            #expect(throws: KeyMaterialError.wrongEncryptionKey) {
                _ = try KeyManager(store: store, cipher: other, trail: .forTests(store)).keySet(from: [row], now: UnixTime.now())
            }
            // A CLI without the key (or with another) cannot add a key no server could open.
            await #expect(throws: KeyMaterialError.encryptedWithoutKey) {
                _ = try await KeyManager(store: store, cipher: .none, trail: .forTests(store)).rotate()
            }
            await #expect(throws: KeyMaterialError.wrongEncryptionKey) { _ = try await KeyManager(store: store, cipher: other, trail: .forTests(store)).rotate() }
            #expect(try await store.signingKeys().count == 1)
        }
    }

    /// A server started with the wrong key-encryption key, with a scheduled rotation due and a key
    /// kept in the clear, must change nothing: no sealing, no new key that no one else can open.
    @Test(arguments: StoreKind.available)
    func maintenanceWithTheWrongEncryptionKeyWritesNothing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let right = try KeyMaterialCipher(base64URL: Self.encryptionKey(0x44))
            try await KeyManager(store: store, cipher: .none, trail: .forTests(store)).ensureActiveKey(algorithm: .es256, now: Self.now - 90_000)
            _ = try await KeyManager(store: store, cipher: right, trail: .forTests(store)).rotate(to: .edDSA, now: Self.now - 86_400)
            // Now one key in the clear (retiring) and one sealed (active), and a rotation is due.
            let before = try await store.signingKeys()
            let wrong = try KeyMaterialCipher(base64URL: Self.encryptionKey(0x45))
            let manager = KeyManager(store: store, cipher: wrong, lifecycle: KeyLifecycle(rotationInterval: 3600), trail: .forTests(store))
            await #expect(throws: KeyMaterialError.wrongEncryptionKey) { _ = try await manager.maintain(now: Self.now) }
            #expect(try await store.signingKeys() == before)
        }
    }

    @Test(arguments: StoreKind.available)
    func keysKeptInTheClearAreSealedOnceAnEncryptionKeyIsSet(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await KeyManager(store: store, cipher: .none, trail: .forTests(store)).ensureActiveKey(algorithm: .rs256)
            let clear = try #require(try await store.signingKeys().first)
            #expect(clear.material?.first == 0)
            let cipher = try KeyMaterialCipher(base64URL: Self.encryptionKey(0x33))
            let manager = KeyManager(store: store, cipher: cipher, trail: .forTests(store))
            let sealed = try #require(try await manager.maintain().first)
            #expect(sealed.material?.first == 1)
            #expect(sealed.material != clear.material)
            let before = try KeyManager(store: store, cipher: .none, trail: .forTests(store)).keySet(from: [clear], now: UnixTime.now())
            #expect(try manager.keySet(from: [sealed], now: UnixTime.now()).signing.bytes == before.signing.bytes)
        }
    }

    /// A database from before the key set keeps its HS256 key, under the same `kid`, so tokens
    /// issued before the upgrade keep verifying.
    @Test(arguments: StoreKind.available)
    func theKeyOfAnOlderDatabaseBecomesTheActiveKey(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let legacy = try SigningKey(bytes: (0..<32).map { UInt8($0 &* 7) })
            let hex = legacy.bytes.map { String(format: "%02x", $0) }.joined()
            // Back to version 2, as an older Intake left it (one statement at a time, as PostgreSQL takes them).
            let undoMigration =
                kind == .sqlite
                ? ["INSERT INTO settings (name, value) VALUES ('signing_key', x'\(hex)')", "DROP TABLE signing_keys", "DELETE FROM grdb_migrations WHERE identifier = 'v3'"]
                : ["INSERT INTO settings (name, value) VALUES ('signing_key', decode('\(hex)', 'hex'))", "DROP TABLE signing_keys", "DELETE FROM intake_migrations WHERE version = 3"]
            for statement in undoMigration { try await database.execute(statement) }
            let store = try await database.open()
            let keys = try await store.signingKeys()
            #expect(keys.map(\.id) == [legacy.id])
            #expect(keys.map(\.algorithm) == [.hs256])
            let set = try KeyManager(store: store, cipher: .none, trail: .forTests(store)).keySet(from: keys, now: UnixTime.now())
            #expect(set.signing.bytes == legacy.bytes)
        }
    }

    @Test(arguments: StoreKind.available)
    func theLongestAnnouncedLifetimeIsKept(_ kind: StoreKind) async throws {
        try await withStore(kind) { store throws in
            #expect(try await store.longestTokenLifetime(announcing: nil) == nil)
            #expect(try await store.longestTokenLifetime(announcing: 900) == 900)
            #expect(try await store.longestTokenLifetime(announcing: 300) == 900)
            #expect(try await store.longestTokenLifetime(announcing: 7200) == 7200)
            #expect(try await store.longestTokenLifetime(announcing: nil) == 7200)
        }
    }

    static func encryptionKey(_ byte: UInt8) -> String {
        Data(repeating: byte, count: 32).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

extension Array where Element: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
