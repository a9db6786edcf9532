import IntakeCore

/// What makes an access token good now, in one place for `/v2`, introspection and revocation:
/// its signature and claims (``KeyRing/verify(_:)``), no revocation, and a client that still
/// exists and is enabled.
///
/// ```swift
/// let (claims, client) = try await validation.validate(token)
/// ```
struct TokenValidation: Sendable {
    let keys: KeyRing
    let directory: ClientDirectory
    let revocations: RevocationList

    func validate(_ token: String) async throws(AccessTokenError) -> (claims: AccessTokenClaims, client: ClientRecord) {
        let claims = try await keys.verify(token)
        guard !revocations.contains(claims.tokenID) else { throw .revoked }
        guard let client = directory.activeClient(id: claims.clientID) else { throw .clientNotActive }
        return (claims, client)
    }
}
