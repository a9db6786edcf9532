/// Records what an actor does: one audit row per action, and the same entry handed to `log`
/// (the server's logger), so the trail can be read from either.
///
/// Recording never fails the action it records: the change is made by then (a client's new
/// secret is stored and must still be shown), so a row that cannot be written is reported to
/// `failed` instead (a warning in the server's log, on the CLI's stderr).
///
/// ```swift
/// let trail = AuditTrail(store: store, actor: .cli, failed: { entry, error in warn("\(entry.action.rawValue) not audited") })
/// await trail.record(.clientDisabled, subject: id)
/// ```
package struct AuditTrail: Sendable {
    package let store: any AuditStore
    package let actor: AuditActor
    private let log: @Sendable (AuditEntry) -> Void
    private let failed: @Sendable (AuditEntry, any Error) -> Void

    package init(
        store: any AuditStore, actor: AuditActor, log: @escaping @Sendable (AuditEntry) -> Void = { _ in },
        failed: @escaping @Sendable (AuditEntry, any Error) -> Void
    ) {
        self.store = store
        self.actor = actor
        self.log = log
        self.failed = failed
    }

    /// The same trail for another actor.
    package func by(_ actor: AuditActor) -> AuditTrail {
        AuditTrail(store: store, actor: actor, log: log, failed: failed)
    }

    package func record(_ action: AuditAction, subject: String, detail: String = "") async {
        let entry = AuditEntry(actor: actor, action: action, subject: subject, detail: detail)
        do {
            try await store.appendAudit(entry)
        } catch {
            failed(entry, error)
            return
        }
        log(entry)
    }
}
