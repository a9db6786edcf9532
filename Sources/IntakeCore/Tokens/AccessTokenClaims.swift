import JWTKit

/// The claims of an Intake access token (RFC 9068 §2.2).
///
/// ```swift
/// let claims = try verifier.verify(token)
/// claims.clientID   // the client the token was issued to
/// claims.scopes.contains(ScopeSet.eventsWrite)
/// ```
package struct AccessTokenClaims: Sendable, Equatable {
    package var issuer: String
    package var subject: String
    package var clientID: String
    package var audience: [String]
    package var issuedAt: Int64
    package var expiresAt: Int64
    package var notBefore: Int64?
    package var tokenID: String
    package var scopes: ScopeSet

    package init(
        issuer: String, subject: String, clientID: String, audience: [String], issuedAt: Int64, expiresAt: Int64,
        notBefore: Int64? = nil, tokenID: String, scopes: ScopeSet
    ) {
        self.issuer = issuer
        self.subject = subject
        self.clientID = clientID
        self.audience = audience
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.tokenID = tokenID
        self.scopes = scopes
    }
}

/// The wire form jwt-kit decodes during verification; time checks are done by ``AccessTokenVerifier``
/// with its leeway, so `verify(using:)` has nothing to add.
struct AccessTokenPayload: JWTPayload {
    var iss: String
    var sub: String
    var client_id: String
    var aud: AudienceClaim
    var iat: Int64
    var exp: Int64
    var nbf: Int64?
    var jti: String
    var scope: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
