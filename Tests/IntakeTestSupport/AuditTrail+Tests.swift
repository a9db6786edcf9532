import IntakeCore
import IntakeTestSupport
import Testing

extension AuditTrail {
    /// The CLI's trail, for tests that act as the CLI; a row that cannot be written fails the test.
    package static func forTests(_ store: any AuditStore) -> AuditTrail {
        AuditTrail(store: store, actor: .cli) { entry, error in
            Issue.record("the audit trail refused \(entry.action.rawValue): \(error)")
        }
    }
}
