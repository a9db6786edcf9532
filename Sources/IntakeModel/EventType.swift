/// The kinds of marketing event the API takes (SPEC §1).
public enum EventType: String, Sendable, CaseIterable, Codable {
    case lead
    case conversion
    case action
}
