import IntakeModel

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
    /// The `kid` of the key that signed the token.
    package var keyID: String

    package init(
        issuer: String, subject: String, clientID: String, audience: [String], issuedAt: Int64, expiresAt: Int64,
        notBefore: Int64? = nil, tokenID: String, scopes: ScopeSet, keyID: String
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
        self.keyID = keyID
    }

    /// The claims of a verified token's payload; a missing claim or one of the wrong JSON type
    /// (a fractional or out-of-range time among them) is `malformed`.
    init(payload: [String: JSONValue], keyID: String) throws(AccessTokenError) {
        func string(_ name: String) throws(AccessTokenError) -> String {
            guard case .string(let value)? = payload[name] else { throw .malformed }
            return value
        }
        func integer(_ name: String) throws(AccessTokenError) -> Int64? {
            switch payload[name] {
            case nil: return nil
            case .integer(let value)?: return value
            default: throw .malformed
            }
        }
        let audience: [String]
        switch payload["aud"] {
        case .string(let value)?:
            audience = [value]
        case .array(let values)?:
            audience = try values.map { value throws(AccessTokenError) in
                guard case .string(let text) = value else { throw .malformed }
                return text
            }
        default:
            throw .malformed
        }
        let scopes: ScopeSet
        switch payload["scope"] {
        case nil:
            scopes = ScopeSet(unchecked: [])
        case .string(let text)?:
            guard let parsed = try? ScopeSet(parsing: text) else { throw .malformed }
            scopes = parsed
        default:
            throw .malformed
        }
        guard let issuedAt = try integer("iat"), let expiresAt = try integer("exp") else { throw .malformed }
        self.init(
            issuer: try string("iss"), subject: try string("sub"), clientID: try string("client_id"), audience: audience,
            issuedAt: issuedAt, expiresAt: expiresAt, notBefore: try integer("nbf"), tokenID: try string("jti"),
            scopes: scopes, keyID: keyID)
    }
}
