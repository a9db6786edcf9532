/// One reason a request body was refused, naming the field (a JSON pointer-like path such as
/// `fields` or `events[3].event_type`).
public struct FieldProblem: Sendable, Hashable, Codable {
    public var field: String
    public var detail: String

    public init(field: String, detail: String) {
        self.field = field
        self.detail = detail
    }
}
