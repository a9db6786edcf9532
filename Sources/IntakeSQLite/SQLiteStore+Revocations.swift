import GRDB
import IntakeCore

extension SQLiteStore: RevocationStore {
    package func revoke(_ token: RevokedToken, at now: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO revoked_tokens (jti, client_id, expires_at, revoked_at) VALUES (?, ?, ?, ?)",
                arguments: [token.tokenID, token.clientID, token.expiresAt, now])
        }
    }

    package func revocationsVersion() async throws -> Int64 {
        try await versionCounter("revocations_version")
    }

    package func revokedTokens(expiringAfter now: Int64) async throws -> [RevokedToken] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT jti, client_id, expires_at FROM revoked_tokens WHERE expires_at > ?", arguments: [now])
                .map { RevokedToken(tokenID: $0["jti"], clientID: $0["client_id"], expiresAt: $0["expires_at"]) }
        }
    }

    package func purgeRevokedTokens(expiredBefore cutoff: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM revoked_tokens WHERE expires_at < ?", arguments: [cutoff])
        }
    }
}
