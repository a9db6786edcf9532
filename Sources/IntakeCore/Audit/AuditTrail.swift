/// Records what an actor does: one audit row per action, and the same entry handed to `log`
/// (the server's logger, the CLI's stderr), so the trail can be read from either.
///
/// ```swift
/// let trail = AuditTrail(store: store, actor: .cli) { entry in logger.notice("\(entry.action.rawValue) \(entry.subject)") }
/// try await trail.record(.clientDisabled, subject: id)
/// ```
package struct AuditTrail: Sendable {
    package let store: any AuditStore
    package let actor: AuditActor
    private let log: @Sendable (AuditEntry) -> Void

    package init(store: any AuditStore, actor: AuditActor, log: @escaping @Sendable (AuditEntry) -> Void = { _ in }) {
        self.store = store
        self.actor = actor
        self.log = log
    }

    /// The same trail for another actor.
    package func by(_ actor: AuditActor) -> AuditTrail {
        AuditTrail(store: store, actor: actor, log: log)
    }

    package func record(_ action: AuditAction, subject: String, detail: String = "") async throws {
        let entry = AuditEntry(actor: actor, action: action, subject: subject, detail: detail)
        try await store.appendAudit(entry)
        log(entry)
    }
}
