import IntakeCore
import Testing

@Suite("ScopeSet")
struct ScopeSetTests {
    @Test func parsesSpaceSeparatedScopesInOrder() throws {
        let scopes = try ScopeSet(parsing: "events:write events:read")
        #expect(scopes.scopes == ["events:write", "events:read"])
        #expect(scopes.contains(ScopeSet.eventsWrite))
        #expect(scopes.contains(ScopeSet.eventsRead))
        #expect(!scopes.contains("events:delete"))
        #expect(scopes.description == "events:write events:read")
    }

    @Test(arguments: [
        ("events:write events:write", ["events:write"]),
        ("  events:read   events:write  events:read ", ["events:read", "events:write"]),
        ("a b a c b", ["a", "b", "c"]),
    ])
    func dropsDuplicatesAndExtraSpaces(text: String, expected: [String]) throws {
        let scopes = try ScopeSet(parsing: text)
        #expect(scopes.scopes == expected)
        #expect(scopes.description == expected.joined(separator: " "))
    }

    @Test(arguments: ["", " ", "   "])
    func emptyTextGivesEmptySet(text: String) throws {
        let scopes = try ScopeSet(parsing: text)
        #expect(scopes.isEmpty)
        #expect(scopes.description == "")
    }

    @Test func acceptsEveryAllowedPrintableCharacter() throws {
        // scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): everything printable but space, `"` and `\`.
        let allowed = (0x21...0x7E).filter { $0 != 0x22 && $0 != 0x5C }.map { Character(UnicodeScalar(UInt8($0))) }
        let token = String(allowed)
        let scopes = try ScopeSet(parsing: token)
        #expect(scopes.scopes == [token])
    }

    @Test(arguments: [
        "events:write \"quoted\"", "back\\slash", "tab\there", "new\nline", "nul\u{0}", "del\u{7F}", "caf\u{E9}",
        "events:write ü", "emoji🙂",
    ])
    func refusesMalformedScopeTokens(text: String) {
        #expect(throws: ScopeError.self) { try ScopeSet(parsing: text) }
    }

    @Test func malformedErrorNamesTheOffendingToken() {
        #expect(throws: ScopeError.malformed("bad\"one")) {
            try ScopeSet(parsing: "events:write bad\"one events:read")
        }
    }

    @Test func defaultForNewClientsIsWriteOnly() {
        #expect(ScopeSet.defaultForNewClients.scopes == [ScopeSet.eventsWrite])
    }

    @Test(arguments: [
        ("", "events:write", true),
        ("events:write", "events:write events:read", true),
        ("events:read events:write", "events:write events:read", true),
        ("events:write events:read", "events:write", false),
        ("events:read", "events:write", false),
        ("events:write", "", false),
        ("", "", true),
    ])
    func subset(candidate: String, of container: String, expected: Bool) throws {
        let a = try ScopeSet(parsing: candidate)
        let b = try ScopeSet(parsing: container)
        #expect(a.isSubset(of: b) == expected)
    }

    @Test func equalityFollowsTheParsedList() throws {
        #expect(try ScopeSet(parsing: "a b a") == ScopeSet(parsing: "a b"))
        #expect(try ScopeSet(parsing: "a b") != ScopeSet(parsing: "a"))
    }
}
