/// A stored row that does not hold what Intake writes (edited by hand, or damaged): reading it
/// fails loudly instead of dropping or rewriting it. `detail` names the row, never its content.
package struct CorruptStoredRow: Error, Sendable, Hashable, CustomStringConvertible {
    package var table: String
    package var detail: String

    package init(table: String, detail: String) {
        self.table = table
        self.detail = detail
    }

    package var description: String { "corrupt row in \(table): \(detail)" }
}
