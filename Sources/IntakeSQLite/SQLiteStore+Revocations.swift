import GRDB
import IntakeCore

extension SQLiteStore: RevocationStore {
    package func revoke(_ token: RevokedToken, at now: Int64, limitPerClient: Int) async throws -> Revocation? {
        try await pool.write { db in
            // One writer at a time: the counter gives sequences in commit order. (No RETURNING:
            // it needs SQLite 3.35, newer than some systems' libsqlite3.)
            try db.execute(sql: "UPDATE revocations_version SET version = version + 1 WHERE id = 1")
            let sequence = try Int64.fetchOne(db, sql: "SELECT version FROM revocations_version WHERE id = 1") ?? 0
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM revoked_tokens WHERE jti = ?", arguments: [token.tokenID]) == nil else {
                return nil
            }
            let live = try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM revoked_tokens WHERE client_id = ? AND expires_at > ? AND issued_before IS NULL",
                arguments: [token.clientID, RevocationList.loadCutoff(now: now)]) ?? 0
            let revocation = Revocation.stored(for: token, at: now, liveRevocations: live, limitPerClient: limitPerClient, sequence: sequence)
            let issuedBefore: Int64? = if case .clientTokens(let instant) = revocation.scope { instant } else { nil }
            try db.execute(
                sql: """
                    INSERT INTO revoked_tokens (jti, client_id, expires_at, revoked_at, seq, issued_before) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at),
                        revoked_at = excluded.revoked_at, seq = excluded.seq,
                        issued_before = max(issued_before, excluded.issued_before)
                    """,
                arguments: [revocation.storedKey, token.clientID, revocation.expiresAt, now, sequence, issuedBefore])
            return revocation
        }
    }

    package func revocations(after sequence: Int64, expiringAfter cutoff: Int64, limit: Int) async throws -> [Revocation] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT jti, client_id, expires_at, seq, issued_before FROM revoked_tokens
                    WHERE seq > ? AND expires_at > ? ORDER BY seq LIMIT ?
                    """,
                arguments: [sequence, cutoff, limit]
            ).map { row in
                Revocation(
                    stored: row["jti"], clientID: row["client_id"], expiresAt: row["expires_at"], sequence: row["seq"],
                    issuedBefore: row["issued_before"])
            }
        }
    }

    package func purgeRevokedTokens(expiredBefore cutoff: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM revoked_tokens WHERE expires_at < ?", arguments: [cutoff])
            try db.execute(
                sql: "DELETE FROM audit WHERE action = ? AND at < ?",
                arguments: [AuditAction.tokenRevoked.rawValue, Revocation.auditCutoff(expiredBefore: cutoff)])
        }
    }
}
