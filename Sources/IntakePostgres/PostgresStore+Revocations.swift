import IntakeCore
import PostgresNIO

extension PostgresStore: RevocationStore {
    package func revoke(_ token: RevokedToken, at now: Int64) async throws {
        try await bounded { connection, logger in
            try await connection.query(
                """
                INSERT INTO revoked_tokens (jti, client_id, expires_at, revoked_at)
                VALUES (\(token.tokenID), \(token.clientID), \(token.expiresAt), \(now)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    package func revocationsVersion() async throws -> Int64 {
        try await versionCounter("revocations_version")
    }

    package func revokedTokens(expiringAfter now: Int64) async throws -> [RevokedToken] {
        try await bounded { connection, logger in
            let rows = try await connection.query(
                "SELECT jti, client_id, expires_at FROM revoked_tokens WHERE expires_at > \(now)", logger: logger)
            var tokens: [RevokedToken] = []
            for try await (jti, clientID, expiresAt) in rows.decode((String, String, Int64).self) {
                tokens.append(RevokedToken(tokenID: jti, clientID: clientID, expiresAt: expiresAt))
            }
            return tokens
        }
    }

    package func purgeRevokedTokens(expiredBefore cutoff: Int64) async throws {
        try await bounded { connection, logger in
            try await connection.query("DELETE FROM revoked_tokens WHERE expires_at < \(cutoff)", logger: logger)
        }
    }
}
