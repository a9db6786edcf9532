/// Keeps the audit trail. One implementation per database.
///
/// ```swift
/// try await store.appendAudit(AuditEntry(actor: .cli, action: .clientCreated, subject: id))
/// let recent = try await store.auditEntries(since: 0, limit: 100)
/// ```
package protocol AuditStore: Sendable {
    func appendAudit(_ entry: AuditEntry) async throws
    /// Entries at or after `since` (milliseconds since 1970), oldest first, at most `limit`.
    func auditEntries(since: Int64, limit: Int) async throws -> [AuditEntry]
}
