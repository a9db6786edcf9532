import Hummingbird
import IntakeCore
import Logging

/// `POST /oauth2/revoke` (RFC 7009): a client revokes one of its own access tokens by value.
/// The answer is `200` whatever the token (unknown, malformed, expired or another client's: no
/// effect), so it never tells whose a token is. A revoked token is refused on `/v2` here at
/// once, and by every other instance after its next poll of the database.
///
/// ```swift
/// RevocationController(authenticator: authenticator, keys: keyRing, store: store, revocations: revoked, trail: trail).addRoutes(to: router)
/// ```
struct RevocationController {
    static let path = "/oauth2/revoke"

    let authenticator: ClientAuthenticator
    let keys: KeyRing
    let store: any RevocationStore
    let revocations: RevocationList
    let trail: AuditTrail

    func addRoutes(to router: Router<IntakeRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            try await revoke(request, context: context)
        }
        MethodNotAllowed.refuseOtherMethods(on: Self.path, of: router)
    }

    func revoke(_ request: Request, context: IntakeRequestContext) async throws -> Response {
        let form = try await ClientAuthenticator.form(of: request)
        let caller = try await authenticator.authenticate(request, form: form, context: context)
        guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("The token parameter is missing") }
        // RFC 7009 §2.1: a hint (access_token, refresh_token or any other) only speeds up the
        // search; there is one kind of token here, so it is not needed.
        if let claims = try? await keys.verify(token), claims.clientID == caller.id, !revocations.contains(claims.tokenID) {
            do {
                try await store.revoke(
                    RevokedToken(tokenID: claims.tokenID, clientID: claims.clientID, expiresAt: claims.expiresAt), at: UnixTime.now())
            } catch {
                throw OAuthError(
                    status: .serviceUnavailable, code: "temporarily_unavailable",
                    description: "The revocation could not be stored; retry", challenge: false)
            }
            revocations.insert(claims.tokenID)
            try? await trail.by(.client(caller.id)).record(.tokenRevoked, subject: claims.tokenID, detail: "exp=\(claims.expiresAt)")
        }
        return Response(status: .ok, headers: TokenResponseHeaders.fields)
    }
}
