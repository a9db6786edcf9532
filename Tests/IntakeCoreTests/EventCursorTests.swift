import IntakeCore
import Testing

@Suite("EventCursor")
struct EventCursorTests {
    @Test("A bare id and a transaction with an id read back as they are written")
    func roundTrips() throws {
        #expect(EventCursor("18") == EventCursor(id: 18))
        #expect(EventCursor("7412.18") == EventCursor(id: 18, transaction: 7412))
        for text in ["0", "18", "7412.18", "0.0"] {
            #expect(try #require(EventCursor(text)).description == text)
        }
    }

    @Test("Anything else is no cursor", arguments: ["", "-1", "1.", ".1", "1.2.3", "a", "1e3", " 1", "+1", "99999999999999999999", "1.-2"])
    func refuses(text: String) {
        #expect(EventCursor(text) == nil)
    }
}
