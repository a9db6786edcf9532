import GRDB
import IntakeCore

extension SQLiteStore: AuditStore {
    package func appendAudit(_ entry: AuditEntry) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [entry.at, entry.actor.rawValue, entry.action.rawValue, entry.subject, entry.detail])
        }
    }

    package func auditEntries(since: Int64, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, at, actor, action, subject, detail FROM audit WHERE at >= ? ORDER BY at, id LIMIT ?",
                arguments: [since, limit]
            ).map { row in
                let id: Int64 = row["id"]
                guard let action = AuditAction(rawValue: row["action"]) else {
                    throw CorruptStoredRow(table: "audit", detail: "entry \(id) has an unknown action")
                }
                return AuditEntry(
                    id: id, at: row["at"], actor: AuditActor(rawValue: row["actor"]), action: action, subject: row["subject"],
                    detail: row["detail"])
            }
        }
    }
}
