import Foundation
import GRDB
import IntakeCore

extension SQLiteStore: ClientStore {
    package func insertClient(_ client: ClientRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO clients (id, name, account, scopes, secret_hash, enabled, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    client.id, client.name, client.account, client.scopes.description, Data(client.secretHash.bytes),
                    client.isEnabled, client.createdAt,
                ])
        }
    }

    package func clients() async throws -> [ClientRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM clients ORDER BY created_at, id").map(Self.client(from:))
        }
    }

    package func client(id: String) async throws -> ClientRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM clients WHERE id = ?", arguments: [id]).map(Self.client(from:))
        }
    }

    package func setClientEnabled(id: String, _ enabled: Bool) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE clients SET enabled = ? WHERE id = ?", arguments: [enabled, id])
            return db.changesCount > 0
        }
    }

    package func setClientSecretHash(id: String, _ hash: SecretHash) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE clients SET secret_hash = ? WHERE id = ?", arguments: [Data(hash.bytes), id])
            return db.changesCount > 0
        }
    }

    package func deleteClient(id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM clients WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    package func clientsVersion() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT version FROM clients_version WHERE id = 1") ?? 0
        }
    }

    private static func client(from row: Row) throws -> ClientRecord {
        let hash: Data = row["secret_hash"]
        return ClientRecord(
            id: row["id"], name: row["name"], account: row["account"],
            scopes: try ScopeSet(parsing: row["scopes"] as String), secretHash: SecretHash(bytes: Array(hash)),
            isEnabled: row["enabled"], createdAt: row["created_at"]
        )
    }
}
