/// An access token revoked before its time (RFC 7009), by `jti`. Kept until `expiresAt`, after
/// which the token is refused for having expired anyway.
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
