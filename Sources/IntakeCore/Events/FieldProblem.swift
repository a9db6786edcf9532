/// One reason a request body was refused, naming the field (a JSON pointer-like path such as
/// `fields` or `events[3].event_type`).
package struct FieldProblem: Sendable, Hashable, Codable {
    package var field: String
    package var detail: String

    package init(field: String, detail: String) {
        self.field = field
        self.detail = detail
    }
}
