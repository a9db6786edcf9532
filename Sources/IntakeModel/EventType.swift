/// The kinds of marketing event the API takes.
public enum EventType: String, Sendable, CaseIterable, Codable {
    case lead
    case conversion
    case action
}
