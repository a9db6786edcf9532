import Foundation
import GRDB
import IntakeCore

extension SQLiteStore: ClientStore {
    package func insertClient(_ client: ClientRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO clients (id, name, account, scopes, secret_hash, enabled, created_at,
                                         previous_secret_hash, previous_secret_valid_until, token_ttl)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    client.id, client.name, client.account, client.scopes.description, Data(client.secretHash.bytes),
                    client.isEnabled, client.createdAt, client.previousSecret.map { Data($0.hash.bytes) },
                    client.previousSecret?.validUntil, client.tokenLifetime,
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

    package func replaceClientSecretHash(id: String, with hash: SecretHash, previousValidUntil: Int64?) async throws -> Bool {
        try await pool.write { db in
            // SET reads the row as it was: the replaced hash moves to previous_secret_hash.
            try db.execute(
                sql: """
                    UPDATE clients SET previous_secret_hash = CASE WHEN ? IS NULL THEN NULL ELSE secret_hash END,
                        previous_secret_valid_until = ?, secret_hash = ?
                    WHERE id = ?
                    """,
                arguments: [previousValidUntil, previousValidUntil, Data(hash.bytes), id])
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
        try await versionCounter("clients_version")
    }

    private static func client(from row: Row) throws -> ClientRecord {
        let hash: Data = row["secret_hash"]
        let previousHash: Data? = row["previous_secret_hash"]
        let previousValidUntil: Int64? = row["previous_secret_valid_until"]
        var previous: PreviousSecret?
        if let previousHash, let previousValidUntil {
            previous = PreviousSecret(hash: SecretHash(bytes: Array(previousHash)), validUntil: previousValidUntil)
        }
        return ClientRecord(
            id: row["id"], name: row["name"], account: row["account"],
            scopes: try ScopeSet(parsing: row["scopes"] as String), secretHash: SecretHash(bytes: Array(hash)),
            previousSecret: previous, isEnabled: row["enabled"], createdAt: row["created_at"], tokenLifetime: row["token_ttl"]
        )
    }
}
