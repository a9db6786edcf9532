/// Where a signing key is in its life: `active` (signs; exactly one), `retiring` (verifies the
/// tokens it signed until they have all expired) and `retired` (verifies nothing; its material
/// is erased).
package enum KeyStatus: String, Sendable, CaseIterable, Hashable {
    case active
    case retiring
    case retired
}
