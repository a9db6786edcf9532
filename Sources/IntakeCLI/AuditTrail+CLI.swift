import Foundation
import IntakeCore

extension AuditTrail {
    /// The CLI's trail: a row that cannot be written is a warning on stderr; the change it
    /// describes is made (and its output, a new secret say, printed) all the same.
    static func cli(_ store: any AuditStore) -> AuditTrail {
        AuditTrail(store: store, actor: .cli) { entry, error in
            FileHandle.standardError.write(
                Data("Warning: \(entry.action.rawValue) was done but not written to the audit trail (\(type(of: error)))\n".utf8))
        }
    }
}
