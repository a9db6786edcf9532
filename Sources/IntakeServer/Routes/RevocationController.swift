import Hummingbird
import IntakeCore
import Logging

/// `POST /oauth2/revoke` (RFC 7009): a client revokes one of its own access tokens by value.
/// The answer is `200` whatever the token (unknown, malformed, expired or another client's: no
/// effect), so it never tells whose a token is. A revoked token is refused on `/v2` here at
/// once, and by every other instance after its next poll of the database. A client that holds
/// `limitPerClient` live revocations already revokes, from then on, every token it
/// was issued until now (see ``Revocation``), so one client cannot grow every instance's list.
///
/// ```swift
/// RevocationController(authenticator: authenticator, validation: validation, store: store, trail: trail, limitPerClient: 1_000)
///     .addRoutes(to: router)
/// ```
struct RevocationController {
    static let path = "/oauth2/revoke"

    let authenticator: ClientAuthenticator
    let validation: TokenValidation
    let store: any RevocationStore
    let trail: AuditTrail
    /// See ``IntakeServerConfiguration/revocationLimitPerClient``.
    let limitPerClient: Int

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
            let now = UnixTime.now()
            let stored: Revocation?
            do {
                stored = try await store.revoke(
                    RevokedToken(tokenID: claims.tokenID, clientID: claims.clientID, expiresAt: claims.expiresAt), at: now,
                    limitPerClient: limitPerClient)
            } catch {
                throw OAuthError(
                    status: .serviceUnavailable, code: "temporarily_unavailable",
                    description: "The revocation could not be stored; retry", challenge: false)
            }
            if let stored { await take(stored, by: caller, now: now) }
        }
        // RFC 7009 §2.2: the body is ignored; none is sent.
        return Response(status: .ok, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
    }

    /// Applies a stored revocation here at once, and audits it: each token revocation, and a
    /// client's first client-wide one (the later ones only move its instant, as often as the
    /// client revokes, so they would flood the trail).
    private func take(_ revocation: Revocation, by caller: ClientRecord, now: Int64) async {
        let firstClientWide = validation.revocations.coversEveryEarlierToken(of: caller.id) == false
        validation.revocations.insert(revocation, now: now)
        let trail = self.trail.by(.client(caller.id))
        switch revocation.scope {
        case .token(let id):
            await trail.record(.tokenRevoked, subject: id, detail: "exp=\(revocation.expiresAt)")
        case .clientTokens(let instant) where firstClientWide:
            await trail.record(
                .clientTokensRevoked, subject: caller.id,
                detail: "issued_at_or_before=\(instant), past \(limitPerClient) live revocations")
        case .clientTokens:
            break
        }
    }
}
