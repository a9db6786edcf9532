/// The operations an operator performs on clients (from the CLI, later the admin API), each
/// written to the audit trail with who did it.
///
/// ```swift
/// let clients = ClientAdministration(store: store, trail: AuditTrail(store: store, actor: .cli) { _, _ in })
/// let (client, credentials) = try await clients.create(name: "crm", scopes: scopes)
/// try await clients.rotateSecret(id: client.id, grace: 900)
/// ```
package struct ClientAdministration: Sendable {
    /// The longest an old secret may keep working after a rotation.
    package static let maximumGrace: Int64 = 30 * 86_400
    /// The account of a client made without one.
    package static let defaultAccount = "default"

    package let store: any ClientStore
    package let trail: AuditTrail

    package init(store: any ClientStore, trail: AuditTrail) {
        self.store = store
        self.trail = trail
    }

    package func create(
        name: String, account: String = defaultAccount, scopes: ScopeSet = .defaultForNewClients, tokenLifetime: Int64? = nil
    ) async throws -> (ClientRecord, ClientCredentials) {
        let created = try await store.registerClient(name: name, account: account, scopes: scopes, tokenLifetime: tokenLifetime)
        var detail = "account=\(account) scope=\(scopes)"
        if let tokenLifetime { detail += " token_ttl=\(tokenLifetime)" }
        await trail.record(.clientCreated, subject: created.0.id, detail: detail)
        return created
    }

    /// False when no client has this id.
    package func setEnabled(id: String, _ enabled: Bool) async throws -> Bool {
        guard try await store.setClientEnabled(id: id, enabled) else { return false }
        await trail.record(enabled ? .clientEnabled : .clientDisabled, subject: id)
        return true
    }

    /// False when no client has this id.
    package func delete(id: String) async throws -> Bool {
        guard try await store.deleteClient(id: id) else { return false }
        await trail.record(.clientDeleted, subject: id)
        return true
    }

    /// A new secret that works at once; the old one keeps working for `grace` seconds. Nil when
    /// no client has this id.
    package func rotateSecret(id: String, grace: Int64 = 0, now: Int64 = UnixTime.now()) async throws -> ClientCredentials? {
        guard let credentials = try await store.rotateSecret(clientID: id, grace: grace, now: now) else { return nil }
        await trail.record(.clientSecretRotated, subject: id, detail: "grace=\(grace)s")
        return credentials
    }
}
