/// One row of the audit trail: who did what to which client, key or token, and when. Never a
/// secret or a token: a token appears by its `jti` only.
///
/// ```swift
/// let entry = AuditEntry(actor: .cli, action: .clientDisabled, subject: clientID)
/// ```
package struct AuditEntry: Sendable, Equatable {
    /// Assigned by the store; nil before the entry is stored.
    package var id: Int64?
    /// Milliseconds since 1970.
    package var at: Int64
    package var actor: AuditActor
    package var action: AuditAction
    /// The client id, `kid`, `jti` or source address the action was about.
    package var subject: String
    /// A short, secret-free note (`scope=…`, `grace=900s`, `alg=ES256`).
    package var detail: String

    package init(
        id: Int64? = nil, at: Int64 = UnixTime.nowMilliseconds(), actor: AuditActor, action: AuditAction, subject: String,
        detail: String = ""
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}
