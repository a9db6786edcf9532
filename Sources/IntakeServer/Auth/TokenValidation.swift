import IntakeCore

/// What makes an access token good now, in one place for `/v2`, introspection and revocation:
/// its signature and claims (``KeyRing/verify(_:)``), no revocation, and a client that still
/// exists and is enabled. A client this instance does not know yet is looked up once (shared,
/// rate-limited checks, as the token endpoint does): a sibling instance may have created or
/// enabled it and issued the token before this instance's next poll.
///
/// ```swift
/// let (claims, client) = try await validation.validate(token)
/// ```
struct TokenValidation: Sendable {
    let keys: KeyRing
    let registry: ClientRegistry
    let revocations: RevocationList

    func validate(_ token: String) async throws(AccessTokenError) -> (claims: AccessTokenClaims, client: ClientRecord) {
        let claims = try await keys.verify(token)
        guard !revocations.covers(claims) else { throw .revoked }
        if let client = registry.directory.activeClient(id: claims.clientID) { return (claims, client) }
        await registry.checkForChanges()
        guard let client = registry.directory.activeClient(id: claims.clientID) else { throw .clientNotActive }
        return (claims, client)
    }
}
