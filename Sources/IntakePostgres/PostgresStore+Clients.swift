import IntakeCore
import NIOCore
import PostgresNIO

extension PostgresStore: ClientStore {
    package func insertClient(_ client: ClientRecord) async throws {
        try await bounded { connection, logger in
            try await connection.query(
                """
                INSERT INTO clients (id, name, account, scopes, secret_hash, enabled, created_at)
                VALUES (\(client.id), \(client.name), \(client.account), \(client.scopes.description),
                        \(ByteBuffer(bytes: client.secretHash.bytes)), \(client.isEnabled), \(client.createdAt))
                """, logger: logger)
        }
    }

    package func clients() async throws -> [ClientRecord] {
        try await bounded { connection, logger in
            // Ids compared byte by byte, as SQLite does, whatever the database's collation.
            let rows = try await connection.query(
                #"SELECT id, name, account, scopes, secret_hash, enabled, created_at FROM clients ORDER BY created_at, id COLLATE "C""#,
                logger: logger)
            var clients: [ClientRecord] = []
            for try await row in rows.decode((String, String, String, String, ByteBuffer, Bool, Int64).self) {
                clients.append(try Self.client(from: row))
            }
            return clients
        }
    }

    package func client(id: String) async throws -> ClientRecord? {
        try await bounded { connection, logger in
            let rows = try await connection.query(
                "SELECT id, name, account, scopes, secret_hash, enabled, created_at FROM clients WHERE id = \(id)",
                logger: logger)
            for try await row in rows.decode((String, String, String, String, ByteBuffer, Bool, Int64).self) {
                return try Self.client(from: row)
            }
            return nil
        }
    }

    package func setClientEnabled(id: String, _ enabled: Bool) async throws -> Bool {
        try await updatedOneRow("UPDATE clients SET enabled = \(enabled) WHERE id = \(id) RETURNING id")
    }

    package func setClientSecretHash(id: String, _ hash: SecretHash) async throws -> Bool {
        try await updatedOneRow(
            "UPDATE clients SET secret_hash = \(ByteBuffer(bytes: hash.bytes)) WHERE id = \(id) RETURNING id")
    }

    package func deleteClient(id: String) async throws -> Bool {
        try await updatedOneRow("DELETE FROM clients WHERE id = \(id) RETURNING id")
    }

    package func clientsVersion() async throws -> Int64 {
        try await bounded { connection, logger in
            for try await version in try await connection.query("SELECT version FROM clients_version WHERE id = 1", logger: logger)
                .decode(Int64.self)
            {
                return version
            }
            return 0
        }
    }

    private func updatedOneRow(_ query: PostgresQuery) async throws -> Bool {
        try await bounded { connection, logger in
            var found = false
            for try await _ in try await connection.query(query, logger: logger).decode(String.self) { found = true }
            return found
        }
    }

    private static func client(from row: (String, String, String, String, ByteBuffer, Bool, Int64)) throws -> ClientRecord {
        ClientRecord(
            id: row.0, name: row.1, account: row.2, scopes: try ScopeSet(parsing: row.3),
            secretHash: SecretHash(bytes: Array(row.4.readableBytesView)), isEnabled: row.5, createdAt: row.6)
    }
}
