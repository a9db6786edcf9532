import Hummingbird
import IntakeCore
import Logging

/// `POST /oauth2/revoke` (RFC 7009): a client revokes one of its own access tokens by value.
/// The answer is `200` whatever the token (unknown, malformed, expired or another client's: no
/// effect), so it never tells whose a token is. A revoked token is refused on `/v2` here at
/// once, and by every other instance after its next poll of the database.
///
/// ```swift
/// RevocationController(authenticator: authenticator, validation: validation, store: store, trail: trail).addRoutes(to: router)
/// ```
struct RevocationController {
    static let path = "/oauth2/revoke"

    let authenticator: ClientAuthenticator
    let validation: TokenValidation
    let store: any RevocationStore
    let trail: AuditTrail

    func addRoutes(to router: Router<IntakeRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            try await revoke(request, context: context)
        }
    }

    func revoke(_ request: Request, context: IntakeRequestContext) async throws -> Response {
        let (caller, token) = try await authenticator.authenticatedTokenRequest(request, context: context)
        // RFC 7009 §2.1: a hint (access_token, refresh_token or any other) only speeds up the
        // search; there is one kind of token here, so it is not needed. A token already revoked
        // fails validation and is left as it is.
        if let (claims, _) = try? await validation.validate(token), claims.clientID == caller.id {
            do {
                try await store.revoke(
                    RevokedToken(tokenID: claims.tokenID, clientID: claims.clientID, expiresAt: claims.expiresAt), at: UnixTime.now())
            } catch {
                throw OAuthError(
                    status: .serviceUnavailable, code: "temporarily_unavailable",
                    description: "The revocation could not be stored; retry", challenge: false)
            }
            validation.revocations.insert(RevokedToken(tokenID: claims.tokenID, clientID: claims.clientID, expiresAt: claims.expiresAt))
            await trail.by(.client(caller.id)).record(.tokenRevoked, subject: claims.tokenID, detail: "exp=\(claims.expiresAt)")
        }
        // RFC 7009 §2.2: the body is ignored; none is sent.
        return Response(status: .ok, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
    }
}
