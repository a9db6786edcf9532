import IntakeCore
import IntakeTestSupport
import Testing

/// Revoked tokens and the audit trail in each database.
@Suite("IntakeStore as RevocationStore and AuditStore")
struct RevocationAndAuditStoreTests {
    @Test(arguments: StoreKind.available)
    func revocationsAreKeptUntilTheTokenExpiresAndBumpTheVersion(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let (writer, reader) = (try await database.open(), try await database.open())
            let before = try await reader.revocationsVersion()
            try await writer.revoke(RevokedToken(tokenID: "a", clientID: "c", expiresAt: 2000), at: 1000)
            try await writer.revoke(RevokedToken(tokenID: "b", clientID: "c", expiresAt: 5000), at: 1000)
            let after = try await reader.revocationsVersion()
            // Twice is fine, and changes nothing: no instance reloads for it; nor for an empty purge.
            try await writer.revoke(RevokedToken(tokenID: "a", clientID: "c", expiresAt: 2000), at: 1001)
            try await writer.purgeRevokedTokens(expiredBefore: 0)
            #expect(try await reader.revocationsVersion() == after)
            #expect(after != before, "another process must see that revocations changed")
            #expect(Set(try await reader.revokedTokens(expiringAfter: 1500).map(\.tokenID)) == ["a", "b"])
            #expect(try await reader.revokedTokens(expiringAfter: 2000).map(\.tokenID) == ["b"])
            try await writer.purgeRevokedTokens(expiredBefore: 3000)
            #expect(try await reader.revokedTokens(expiringAfter: 0).map(\.tokenID) == ["b"])
            #expect(try await reader.revocationsVersion() != after)
        }
    }

    @Test(arguments: StoreKind.available)
    func auditEntriesComeBackInOrderFromTheirTime(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.appendAudit(AuditEntry(at: 1000, actor: .cli, action: .clientCreated, subject: "c1", detail: "scope=events:write"))
            try await store.appendAudit(AuditEntry(at: 2000, actor: .client("c1"), action: .tokenRevoked, subject: "jti-1"))
            try await store.appendAudit(AuditEntry(at: 3000, actor: .server, action: .keyRotated, subject: "kid-2", detail: "alg=ES256"))
            let all = try await store.auditEntries(since: 0, limit: 10)
            #expect(all.map(\.action) == [.clientCreated, .tokenRevoked, .keyRotated])
            #expect(all.map(\.actor) == [.cli, .client("c1"), .server])
            #expect(all.allSatisfy { $0.id != nil })
            #expect(try await store.auditEntries(since: 2000, limit: 10).map(\.subject) == ["jti-1", "kid-2"])
            #expect(try await store.auditEntries(since: 0, limit: 1).map(\.subject) == ["c1"])
        }
    }

    /// The CLI's client operations each leave one row naming the CLI.
    @Test(arguments: StoreKind.available)
    func clientAdministrationIsAudited(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let clients = ClientAdministration(store: store, trail: .forTests(store))
            let (client, credentials) = try await clients.create(name: "crm", tokenLifetime: 600)
            _ = try await clients.setEnabled(id: client.id, false)
            _ = try await clients.setEnabled(id: client.id, true)
            _ = try await clients.rotateSecret(id: client.id, grace: 60)
            _ = try await clients.delete(id: client.id)
            #expect(try await clients.delete(id: "nobody") == false)
            let entries = try await store.auditEntries(since: 0, limit: 10)
            #expect(entries.map(\.action) == [.clientCreated, .clientDisabled, .clientEnabled, .clientSecretRotated, .clientDeleted])
            #expect(entries.allSatisfy { $0.subject == client.id && $0.actor == .cli })
            #expect(entries[3].detail == "grace=60s")
            #expect(!entries.contains { $0.detail.contains(credentials.clientSecret) })
        }
    }
}
