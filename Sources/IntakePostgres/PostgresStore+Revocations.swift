import IntakeCore
import PostgresNIO

extension PostgresStore: RevocationStore {
    package func revoke(_ token: RevokedToken, at now: Int64, limitPerClient: Int) async throws -> Revocation? {
        try await bounded { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                // The counter's row lock makes revocations take turns until commit, so sequences
                // are assigned in commit order and a reader never skips one that commits late.
                // Taken first, so the check below sees a racing revocation of the same token.
                var sequence: Int64 = 0
                for try await value in try await connection.query(
                    "UPDATE revocations_version SET version = version + 1 WHERE id = 1 RETURNING version", logger: logger
                ).decode(Int64.self) {
                    sequence = value
                }
                let existing = try await connection.query("SELECT 1 FROM revoked_tokens WHERE jti = \(token.tokenID)", logger: logger)
                for try await _ in existing { return nil }
                var live = 0
                let cutoff = RevocationList.loadCutoff(now: now)
                for try await count in try await connection.query(
                    """
                    SELECT count(*) FROM revoked_tokens
                    WHERE client_id = \(token.clientID) AND expires_at > \(cutoff) AND issued_before IS NULL
                    """, logger: logger
                ).decode(Int64.self) {
                    live = Int(count)
                }
                let revocation = Revocation.stored(
                    for: token, at: now, liveRevocations: live, limitPerClient: limitPerClient, sequence: sequence)
                let issuedBefore: Int64? = if case .clientTokens(let instant) = revocation.scope { instant } else { nil }
                try await connection.query(
                    """
                    INSERT INTO revoked_tokens (jti, client_id, expires_at, revoked_at, seq, issued_before)
                    VALUES (\(revocation.storedKey), \(token.clientID), \(revocation.expiresAt), \(now), \(sequence), \(issuedBefore))
                    ON CONFLICT (jti) DO UPDATE SET expires_at = GREATEST(revoked_tokens.expires_at, excluded.expires_at),
                        revoked_at = excluded.revoked_at, seq = excluded.seq,
                        issued_before = GREATEST(revoked_tokens.issued_before, excluded.issued_before)
                    """, logger: logger)
                return revocation
            }
        }
    }

    package func revocations(after sequence: Int64, expiringAfter cutoff: Int64, limit: Int) async throws -> [Revocation] {
        try await bounded { client, logger in
            let rows = try await client.query(
                """
                SELECT jti, client_id, expires_at, seq, issued_before FROM revoked_tokens
                WHERE seq > \(sequence) AND expires_at > \(cutoff) ORDER BY seq LIMIT \(limit)
                """, logger: logger)
            var revocations: [Revocation] = []
            for try await (key, clientID, expiresAt, sequence, issuedBefore) in rows.decode((String, String, Int64, Int64, Int64?).self) {
                revocations.append(
                    Revocation(stored: key, clientID: clientID, expiresAt: expiresAt, sequence: sequence, issuedBefore: issuedBefore))
            }
            return revocations
        }
    }

    package func purgeRevokedTokens(expiredBefore cutoff: Int64) async throws {
        try await bounded { client, logger in
            try await client.query("DELETE FROM revoked_tokens WHERE expires_at < \(cutoff)", logger: logger)
            try await client.query(
                "DELETE FROM audit WHERE action = \(AuditAction.tokenRevoked.rawValue) AND at < \(Revocation.auditCutoff(expiredBefore: cutoff))",
                logger: logger)
        }
    }
}
