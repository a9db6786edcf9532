/// Who did it: the CLI, the admin API, a server on its own (a scheduled rotation, throttling), or
/// a client (revoking its own token).
package struct AuditActor: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    package var rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }

    package static let cli = AuditActor(rawValue: "cli")
    package static let server = AuditActor(rawValue: "server")
    /// A caller of the admin API (who holds `INTAKE_ADMIN_TOKEN`).
    package static let admin = AuditActor(rawValue: "admin")
    package static func client(_ id: String) -> AuditActor { AuditActor(rawValue: "client:" + id) }

    package var description: String { rawValue }
}
