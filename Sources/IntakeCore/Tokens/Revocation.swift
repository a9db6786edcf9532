/// One stored revocation, as instances read them in order: one token by its `jti`, or, once a
/// client has revoked more than ``limitPerClient`` tokens that have not expired, every token of
/// that client issued at or before an instant.
///
/// The second form bounds what one client can add to the list every instance holds: a client
/// that mints and revokes tokens in a loop moves one row forward instead of adding one per token
/// (and loses the tokens it holds, which is the safe side; it can ask for a new one). Keycloak's
/// "not before" push of a client does the same.
///
/// ```swift
/// let revocation = Revocation(scope: .token(id: claims.tokenID), clientID: claims.clientID, expiresAt: claims.expiresAt, sequence: 1)
/// revocation.covers(claims)   // true
/// ```
package struct Revocation: Sendable, Hashable {
    /// Live (unexpired) token revocations one client may hold before they are summarised.
    package static let limitPerClient = 1_000

    package enum Scope: Sendable, Hashable {
        case token(id: String)
        /// Every token of the client whose `iat` is at or before this instant (seconds since 1970).
        case clientTokens(issuedAtOrBefore: Int64)
    }

    package var scope: Scope
    package var clientID: String
    /// Seconds since 1970 after which the revocation is not needed: every token it covers has expired.
    package var expiresAt: Int64
    /// Its place in the order every instance reads revocations in (assigned by the store).
    package var sequence: Int64

    package init(scope: Scope, clientID: String, expiresAt: Int64, sequence: Int64) {
        self.scope = scope
        self.clientID = clientID
        self.expiresAt = expiresAt
        self.sequence = sequence
    }

    /// The stored `jti` of a client-wide row: no token id of ours has a colon.
    package static func clientWideKey(_ clientID: String) -> String { "client:" + clientID }

    package func covers(_ claims: AccessTokenClaims) -> Bool {
        guard claims.clientID == clientID else { return false }
        switch scope {
        case .token(let id): return claims.tokenID == id
        case .clientTokens(let instant): return claims.issuedAt <= instant
        }
    }
}
