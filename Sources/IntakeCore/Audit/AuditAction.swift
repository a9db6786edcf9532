/// What happened.
package enum AuditAction: String, Sendable, CaseIterable, Hashable {
    case clientCreated = "client.created"
    case clientEnabled = "client.enabled"
    case clientDisabled = "client.disabled"
    case clientDeleted = "client.deleted"
    case clientSecretRotated = "client.secret_rotated"
    case keyRotated = "key.rotated"
    case tokenRevoked = "token.revoked"
    /// A client past its limit of live revocations revoked every token it was issued until then.
    case clientTokensRevoked = "client.tokens_revoked"
    case throttlingStarted = "throttling.started"
    /// A request to the admin API without the admin token (the subject is its source address).
    case adminAuthenticationFailed = "admin.authentication_failed"
}
