import Foundation
import IntakeCore
import IntakeSQLite
import Testing

/// A retired key's material is gone from every file of the database, not only from its row.
@Suite("SQLite key erasure")
struct SQLiteKeyErasureTests {
    @Test func retiredMaterialIsInNeitherTheDatabaseNorItsWAL() async throws {
        try await withDatabase { database, store in
            // Recognisable bytes: a 64-byte run that nothing else in the files holds.
            let material = Array(repeating: UInt8(0xA7), count: 32) + Array("intake-erasure-test-material-xx".utf8) + [0x5C]
            let old = StoredSigningKey(id: "old", algorithm: .hs256, status: .active, createdAt: 1_700_000_000, material: material)
            try await store.insertActiveKeyIfNone(old)
            let new = StoredSigningKey(id: "new", algorithm: .hs256, status: .active, createdAt: 1_700_000_100, material: [1, 2, 3])
            _ = try await store.rotateSigningKey(to: new, retiringPreviousUntil: 1_700_000_200, activeCreatedBefore: nil)
            let files = [database.path, database.path + "-wal"]
            #expect(files.contains { Self.file($0, holds: material) }, "the material should be on disk before it is retired")

            try await store.retireSigningKeys(dueAt: 1_700_000_200)

            #expect(try await store.signingKeys().first { $0.id == "old" }?.material == nil)
            for file in files {
                #expect(!Self.file(file, holds: material), "\(file) still holds the retired key's material")
            }
        }
    }

    private static func file(_ path: String, holds bytes: [UInt8]) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return data.range(of: Data(bytes)) != nil
    }
}
