/// The permissions a client may hold and a token may carry.
///
/// Scopes travel as one space-separated string (RFC 6749 §3.3); this type keeps them as an
/// ordered, duplicate-free list so that the string form is stable.
///
/// ```swift
/// let granted = try ScopeSet(parsing: "events:write events:read")
/// granted.contains(.eventsWrite) // true
/// ```
package struct ScopeSet: Sendable, Hashable, CustomStringConvertible {
    /// Scope needed to send events.
    package static let eventsWrite = "events:write"
    /// Scope needed to read events back.
    package static let eventsRead = "events:read"
    /// Scope that lets a client (a resource server) introspect any client's tokens (RFC 7662).
    package static let tokensIntrospect = "tokens:introspect"
    /// What a client gets when it is created without `--scope`.
    package static let defaultForNewClients = ScopeSet(unchecked: [eventsWrite])

    package let scopes: [String]
    /// The space-separated form, as sent in `scope` parameters and claims; kept because every token carries it.
    package let description: String

    /// Parses a space-separated scope string; throws when a scope token has characters RFC 6749 §3.3 forbids.
    package init(parsing text: some StringProtocol) throws(ScopeError) {
        var scopes: [String] = []
        for token in text.split(separator: " ", omittingEmptySubsequences: true) {
            guard token.utf8.allSatisfy(Self.isScopeCharacter) else {
                throw ScopeError.malformed(String(token))
            }
            let scope = String(token)
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        self.init(unchecked: scopes)
    }

    init(unchecked scopes: [String]) {
        self.scopes = scopes
        self.description = scopes.joined(separator: " ")
    }

    package var isEmpty: Bool { scopes.isEmpty }

    package func contains(_ scope: String) -> Bool { scopes.contains(scope) }

    package func isSubset(of other: ScopeSet) -> Bool { scopes.allSatisfy(other.contains) }

    /// The scopes of this set that `other` holds too, in this set's order.
    package func intersection(_ other: ScopeSet) -> ScopeSet { ScopeSet(unchecked: scopes.filter(other.contains)) }

    /// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`
    private static func isScopeCharacter(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
    }
}

/// A scope string that cannot be a scope.
package enum ScopeError: Error, Equatable, Sendable {
    case malformed(String)
}
