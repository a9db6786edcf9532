import IntakeCore
import NIOCore
import PostgresNIO

extension PostgresStore: ClientStore {
    package func insertClient(_ client: ClientRecord) async throws {
        try await bounded { connection, logger in
            try await connection.query(
                """
                INSERT INTO clients (id, name, account, scopes, secret_hash, enabled, created_at,
                                     previous_secret_hash, previous_secret_valid_until, token_ttl)
                VALUES (\(client.id), \(client.name), \(client.account), \(client.scopes.description),
                        \(ByteBuffer(bytes: client.secretHash.bytes)), \(client.isEnabled), \(client.createdAt),
                        \(client.previousSecret.map { ByteBuffer(bytes: $0.hash.bytes) }), \(client.previousSecret?.validUntil),
                        \(client.tokenLifetime))
                """, logger: logger)
        }
    }

    package func clients() async throws -> [ClientRecord] {
        try await bounded { connection, logger in
            // Ids compared byte by byte, as SQLite does, whatever the database's collation.
            let rows = try await connection.query(
                #"SELECT \#(unescaped: Self.clientColumns) FROM clients ORDER BY created_at, id COLLATE "C""#,
                logger: logger)
            var clients: [ClientRecord] = []
            for try await row in rows.decode(Self.ClientRow.self) {
                clients.append(try Self.client(from: row))
            }
            return clients
        }
    }

    package func client(id: String) async throws -> ClientRecord? {
        try await bounded { connection, logger in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.clientColumns) FROM clients WHERE id = \(id)",
                logger: logger)
            for try await row in rows.decode(Self.ClientRow.self) {
                return try Self.client(from: row)
            }
            return nil
        }
    }

    package func setClientEnabled(id: String, _ enabled: Bool) async throws -> Bool {
        try await updatedOneRow("UPDATE clients SET enabled = \(enabled) WHERE id = \(id) RETURNING id")
    }

    package func replaceClientSecretHash(id: String, with hash: SecretHash, previousValidUntil: Int64?) async throws -> Bool {
        // SET reads the row as it was: the replaced hash moves to previous_secret_hash.
        try await updatedOneRow(
            """
            UPDATE clients SET previous_secret_hash = CASE WHEN \(previousValidUntil)::bigint IS NULL THEN NULL ELSE secret_hash END,
                previous_secret_valid_until = \(previousValidUntil), secret_hash = \(ByteBuffer(bytes: hash.bytes))
            WHERE id = \(id) RETURNING id
            """)
    }

    package func deleteClient(id: String) async throws -> Bool {
        try await updatedOneRow("DELETE FROM clients WHERE id = \(id) RETURNING id")
    }

    package func clientsVersion() async throws -> Int64 {
        try await versionCounter("clients_version")
    }

    private func updatedOneRow(_ query: PostgresQuery) async throws -> Bool {
        try await bounded { connection, logger in
            var found = false
            for try await _ in try await connection.query(query, logger: logger).decode(String.self) { found = true }
            return found
        }
    }

    static let clientColumns =
        "id, name, account, scopes, secret_hash, enabled, created_at, previous_secret_hash, previous_secret_valid_until, token_ttl"
    typealias ClientRow = (String, String, String, String, ByteBuffer, Bool, Int64, ByteBuffer?, Int64?, Int64?)

    private static func client(from row: ClientRow) throws -> ClientRecord {
        var previous: PreviousSecret?
        if let hash = row.7, let validUntil = row.8 {
            previous = PreviousSecret(hash: SecretHash(bytes: Array(hash.readableBytesView)), validUntil: validUntil)
        }
        return ClientRecord(
            id: row.0, name: row.1, account: row.2, scopes: try ScopeSet(parsing: row.3),
            secretHash: SecretHash(bytes: Array(row.4.readableBytesView)), previousSecret: previous, isEnabled: row.5,
            createdAt: row.6, tokenLifetime: row.9)
    }
}
