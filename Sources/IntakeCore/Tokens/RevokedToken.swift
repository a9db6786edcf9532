/// An access token a client asks to revoke (RFC 7009), as ``RevocationStore/revoke(_:at:limitPerClient:)``
/// takes it; what is stored is a ``Revocation``.
package struct RevokedToken: Sendable, Hashable {
    package var tokenID: String
    package var clientID: String
    /// Seconds since 1970: the token's `exp`.
    package var expiresAt: Int64

    package init(tokenID: String, clientID: String, expiresAt: Int64) {
        self.tokenID = tokenID
        self.clientID = clientID
        self.expiresAt = expiresAt
    }
}
