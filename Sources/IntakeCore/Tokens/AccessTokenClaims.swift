import JWTKit

/// The claims of an Intake access token (RFC 9068 §2.2).
///
/// ```swift
/// let claims = try await verifier.verify(token)
/// claims.clientID   // the client the token was issued to
/// claims.scopes.contains(ScopeSet.eventsWrite)
/// ```
public struct AccessTokenClaims: Sendable, Equatable {
    public var issuer: String
    public var subject: String
    public var clientID: String
    public var audience: [String]
    public var issuedAt: Int64
    public var expiresAt: Int64
    public var notBefore: Int64?
    public var tokenID: String
    public var scopes: ScopeSet

    public init(
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
