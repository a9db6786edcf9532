extension Revocation {
    /// What a store records when `token` is revoked at `now` while its client holds
    /// `liveRevocations` token revocations that have not expired: the token itself, or, at the
    /// limit, every token of the client issued until now (which have all expired a longest
    /// lifetime and the leeway later).
    package static func stored(
        for token: RevokedToken, at now: Int64, liveRevocations: Int, limitPerClient: Int, sequence: Int64
    ) -> Revocation {
        guard liveRevocations >= limitPerClient else {
            return Revocation(scope: .token(id: token.tokenID), clientID: token.clientID, expiresAt: token.expiresAt, sequence: sequence)
        }
        let lastExpiry = now.saturatingAdding(AccessTokenVerifier.maximumLifetime).saturatingAdding(AccessTokenVerifier.leeway)
        return Revocation(
            scope: .clientTokens(issuedAtOrBefore: now), clientID: token.clientID, expiresAt: max(lastExpiry, token.expiresAt),
            sequence: sequence)
    }

    /// A stored row: `issuedBefore` set for a client-wide one.
    package init(stored key: String, clientID: String, expiresAt: Int64, sequence: Int64, issuedBefore: Int64?) {
        let scope: Scope = issuedBefore.map { .clientTokens(issuedAtOrBefore: $0) } ?? .token(id: key)
        self.init(scope: scope, clientID: clientID, expiresAt: expiresAt, sequence: sequence)
    }

    /// The row's key: the token id, or ``clientWideKey(_:)``.
    package var storedKey: String {
        switch scope {
        case .token(let id): id
        case .clientTokens: Self.clientWideKey(clientID)
        }
    }

    /// Audit rows of token revocations made before this (milliseconds since 1970) are about
    /// tokens that expired before `cutoff` (seconds): a token lives at most a longest lifetime.
    package static func auditCutoff(expiredBefore cutoff: Int64) -> Int64 {
        cutoff.saturatingSubtracting(AccessTokenVerifier.maximumLifetime).saturatingMultiplied(by: 1000)
    }
}
