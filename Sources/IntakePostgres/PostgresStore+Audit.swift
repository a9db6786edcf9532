import IntakeCore
import PostgresNIO

extension PostgresStore: AuditStore {
    package func appendAudit(_ entry: AuditEntry) async throws {
        try await bounded { connection, logger in
            try await connection.query(
                """
                INSERT INTO audit (at, actor, action, subject, detail)
                VALUES (\(entry.at), \(entry.actor.rawValue), \(entry.action.rawValue), \(entry.subject), \(entry.detail))
                """, logger: logger)
        }
    }

    package func auditEntries(since: Int64, limit: Int) async throws -> [AuditEntry] {
        try await bounded { connection, logger in
            let rows = try await connection.query(
                "SELECT id, at, actor, action, subject, detail FROM audit WHERE at >= \(since) ORDER BY at, id LIMIT \(limit)",
                logger: logger)
            var entries: [AuditEntry] = []
            for try await (id, at, actor, action, subject, detail) in rows.decode((Int64, Int64, String, String, String, String).self) {
                guard let action = AuditAction(rawValue: action) else {
                    throw CorruptStoredRow(table: "audit", detail: "entry \(id) has an unknown action")
                }
                entries.append(
                    AuditEntry(id: id, at: at, actor: AuditActor(rawValue: actor), action: action, subject: subject, detail: detail))
            }
            return entries
        }
    }
}
