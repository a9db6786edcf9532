import Foundation
import GRDB
import IntakeCore

extension SQLiteStore: SigningKeyStore {
    package func signingKeys() async throws -> [StoredSigningKey] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM signing_keys ORDER BY created_at DESC, (status = 'active') DESC, retires_at DESC NULLS FIRST, rowid DESC").map(Self.key(from:))
        }
    }

    package func insertActiveKeyIfNone(_ key: StoredSigningKey) async throws {
        try await pool.write { db in
            // The one-active index makes a second active key a conflict, which is ignored.
            try Self.insert(key, into: db, orIgnore: true)
        }
    }

    package func rotateSigningKey(
        to key: StoredSigningKey, retiringPreviousUntil retiresAt: Int64, activeCreatedBefore: Int64?
    ) async throws -> Bool {
        try await pool.write { db in
            if let activeCreatedBefore,
                let created = try Int64.fetchOne(db, sql: "SELECT created_at FROM signing_keys WHERE status = 'active'"),
                created >= activeCreatedBefore
            {
                return false
            }
            try db.execute(
                sql: "UPDATE signing_keys SET status = 'retiring', retires_at = ? WHERE status = 'active'", arguments: [retiresAt])
            try Self.insert(key, into: db, orIgnore: false)
            return true
        }
    }

    package func retireSigningKeys(dueAt now: Int64) async throws {
        try await pool.writeWithoutTransaction { db in
            try db.inTransaction {
                try db.execute(
                    sql: "UPDATE signing_keys SET status = 'retired', material = NULL WHERE status = 'retiring' AND retires_at <= ?",
                    arguments: [now])
                return .commit
            }
            guard db.changesCount > 0 else { return }
            // secure_delete overwrites the material in the database file, but the page that held
            // it stays in the -wal file until a checkpoint resets it, which otherwise waits for a
            // clean stop. TRUNCATE copies the WAL back and empties the file now. The key is retired
            // either way: should a reader keep the checkpoint from finishing, the frames are
            // overwritten once the WAL starts over after a later checkpoint.
            _ = try? db.checkpoint(.truncate)
        }
    }

    package func replaceSigningKeyMaterial(id: String, with material: [UInt8]) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE signing_keys SET material = ? WHERE kid = ? AND status != 'retired'", arguments: [Data(material), id])
        }
    }

    package func longestTokenLifetime(announcing lifetime: Int64?) async throws -> Int64? {
        try await pool.write { db in
            let recorded = try String.fetchOne(db, sql: "SELECT CAST(value AS TEXT) FROM settings WHERE name = 'longest_token_ttl'")
                .flatMap { Int64($0) }
            guard let lifetime, lifetime > recorded ?? .min else { return recorded }
            try db.execute(
                sql: "INSERT OR REPLACE INTO settings (name, value) VALUES ('longest_token_ttl', ?)",
                arguments: [Data(String(lifetime).utf8)])
            return lifetime
        }
    }

    private static func insert(_ key: StoredSigningKey, into db: Database, orIgnore: Bool) throws {
        try db.execute(
            sql: """
                INSERT \(orIgnore ? "OR IGNORE " : "")INTO signing_keys (kid, alg, status, material, created_at, retires_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                key.id, key.algorithm.rawValue, key.status.rawValue, key.material.map { Data($0) }, key.createdAt, key.retiresAt,
            ])
    }

    private static func key(from row: Row) throws -> StoredSigningKey {
        let kid: String = row["kid"]
        guard let algorithm = SigningAlgorithm(rawValue: row["alg"]), let status = KeyStatus(rawValue: row["status"]) else {
            throw CorruptStoredRow(table: "signing_keys", detail: "key \(kid) has an unknown algorithm or status")
        }
        let material: Data? = row["material"]
        return StoredSigningKey(
            id: kid, algorithm: algorithm, status: status, createdAt: row["created_at"], retiresAt: row["retires_at"],
            material: material.map { Array($0) })
    }
}
