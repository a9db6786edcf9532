import IntakeCore
import NIOCore
import PostgresNIO

extension PostgresStore: SigningKeyStore {
    package func signingKeys() async throws -> [StoredSigningKey] {
        try await bounded { connection, logger in
            let rows = try await connection.query(
                "SELECT kid, alg, status, created_at, retires_at, material FROM signing_keys ORDER BY \(unescaped: Self.newestFirst)",
                logger: logger)
            var keys: [StoredSigningKey] = []
            for try await row in rows.decode((String, String, String, Int64, Int64?, ByteBuffer?).self) {
                guard let algorithm = SigningAlgorithm(rawValue: row.1), let status = KeyStatus(rawValue: row.2) else {
                    throw CorruptStoredRow(table: "signing_keys", detail: "key \(row.0) has an unknown algorithm or status")
                }
                keys.append(
                    StoredSigningKey(
                        id: row.0, algorithm: algorithm, status: status, createdAt: row.3, retiresAt: row.4,
                        material: row.5.map { Array($0.readableBytesView) }))
            }
            return keys
        }
    }

    package func insertActiveKeyIfNone(_ key: StoredSigningKey) async throws {
        try await bounded { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                // Takes turns with rotations; the one-active index makes a second active key a
                // conflict, which is ignored.
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.keyRotationLock))", logger: logger)
                try await connection.query(Self.insertion(of: key, suffix: "ON CONFLICT DO NOTHING"), logger: logger)
            }
        }
    }

    package func rotateSigningKey(
        to key: StoredSigningKey, retiringPreviousUntil retiresAt: Int64, activeCreatedBefore: Int64?
    ) async throws -> Bool {
        try await bounded { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                // Rotations take turns, so each sees the active key the previous one made.
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.keyRotationLock))", logger: logger)
                if let activeCreatedBefore {
                    let rows = try await connection.query(
                        "SELECT created_at FROM signing_keys WHERE status = 'active'", logger: logger)
                    var created: [Int64] = []
                    for try await time in rows.decode(Int64.self) { created.append(time) }
                    if created.contains(where: { $0 >= activeCreatedBefore }) { return false }
                }
                try await connection.query(
                    "UPDATE signing_keys SET status = 'retiring', retires_at = \(retiresAt) WHERE status = 'active'",
                    logger: logger)
                try await connection.query(Self.insertion(of: key, suffix: ""), logger: logger)
                return true
            }
        }
    }

    package func retireSigningKeys(dueAt now: Int64) async throws {
        try await bounded { connection, logger in
            try await connection.query(
                "UPDATE signing_keys SET status = 'retired', material = NULL WHERE status = 'retiring' AND retires_at <= \(now)",
                logger: logger)
        }
    }

    package func replaceSigningKeyMaterial(id: String, with material: [UInt8]) async throws {
        try await bounded { connection, logger in
            try await connection.query(
                "UPDATE signing_keys SET material = \(ByteBuffer(bytes: material)) WHERE kid = \(id) AND status <> 'retired'",
                logger: logger)
        }
    }

    package func longestTokenLifetime(announcing lifetime: Int64?) async throws -> Int64? {
        try await bounded { connection, logger in
            let query: PostgresQuery
            if let lifetime {
                let value = ByteBuffer(string: String(lifetime))
                query = """
                    INSERT INTO settings (name, value) VALUES ('longest_token_ttl', \(value))
                    ON CONFLICT (name) DO UPDATE SET value = CASE
                        WHEN convert_from(excluded.value, 'UTF8')::bigint > convert_from(settings.value, 'UTF8')::bigint
                        THEN excluded.value ELSE settings.value END
                    RETURNING convert_from(value, 'UTF8')::bigint
                    """
            } else {
                query = "SELECT convert_from(value, 'UTF8')::bigint FROM settings WHERE name = 'longest_token_ttl'"
            }
            for try await longest in try await connection.query(query, logger: logger).decode(Int64.self) {
                return longest
            }
            return nil
        }
    }

    /// Newest first, also among keys made within one second: the active key, then the key that
    /// retires last (it was rotated out last).
    static let newestFirst = "created_at DESC, (status = 'active') DESC, retires_at DESC NULLS FIRST, kid"

    private static func insertion(of key: StoredSigningKey, suffix: String) -> PostgresQuery {
        var query: PostgresQuery = """
            INSERT INTO signing_keys (kid, alg, status, material, created_at, retires_at)
            VALUES (\(key.id), \(key.algorithm.rawValue), \(key.status.rawValue), \(key.material.map { ByteBuffer(bytes: $0) }),
                    \(key.createdAt), \(key.retiresAt))
            """
        query.sql += " " + suffix
        return query
    }
}
