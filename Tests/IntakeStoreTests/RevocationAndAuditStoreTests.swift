import IntakeCore
import IntakeTestSupport
import Testing

/// Revoked tokens and the audit trail in each database.
@Suite("IntakeStore as RevocationStore and AuditStore")
struct RevocationAndAuditStoreTests {
    @Test(arguments: StoreKind.available)
    func revocationsAreReadInTheOrderTheyCommitAndKeptUntilTheirTokensExpire(_ kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let (writer, reader) = (try await database.open(), try await database.open())
            let a = try #require(try await writer.revoke(RevokedToken(tokenID: "a", clientID: "c", expiresAt: 2000), at: 1000, limitPerClient: 10))
            let b = try #require(try await writer.revoke(RevokedToken(tokenID: "b", clientID: "c", expiresAt: 5000), at: 1000, limitPerClient: 10))
            #expect(a.scope == .token(id: "a") && b.sequence > a.sequence)
            // Twice is fine, and stores nothing new.
            #expect(try await writer.revoke(RevokedToken(tokenID: "a", clientID: "c", expiresAt: 2000), at: 1001, limitPerClient: 10) == nil)
            #expect(try await reader.revocations(after: 0, expiringAfter: 1500, limit: 10) == [a, b])
            // Only what came after a sequence, only what has not expired, at most `limit`.
            #expect(try await reader.revocations(after: a.sequence, expiringAfter: 0, limit: 10) == [b])
            #expect(try await reader.revocations(after: 0, expiringAfter: 2000, limit: 10) == [b])
            #expect(try await reader.revocations(after: 0, expiringAfter: 0, limit: 1) == [a])
            try await writer.purgeRevokedTokens(expiredBefore: 3000)
            #expect(try await reader.revocations(after: 0, expiringAfter: 0, limit: 10) == [b])
        }
    }

    @Test(arguments: StoreKind.available)
    func pastItsLimitAClientsRevocationsBecomeOneRowForAllItsEarlierTokens(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for index in 0..<3 {
                let stored = try await store.revoke(RevokedToken(tokenID: "t\(index)", clientID: "c", expiresAt: 9000), at: 1000, limitPerClient: 3)
                #expect(stored?.scope == .token(id: "t\(index)"))
            }
            // Another client's budget is its own.
            #expect(try await store.revoke(RevokedToken(tokenID: "o", clientID: "other", expiresAt: 9000), at: 1000, limitPerClient: 3)?.scope == .token(id: "o"))
            let first = try #require(try await store.revoke(RevokedToken(tokenID: "t3", clientID: "c", expiresAt: 9000), at: 1100, limitPerClient: 3))
            #expect(first.scope == .clientTokens(issuedAtOrBefore: 1100))
            #expect(first.expiresAt == 1100 + AccessTokenVerifier.maximumLifetime + AccessTokenVerifier.leeway)
            let moved = try #require(try await store.revoke(RevokedToken(tokenID: "t4", clientID: "c", expiresAt: 9000), at: 1200, limitPerClient: 3))
            #expect(moved.scope == .clientTokens(issuedAtOrBefore: 1200) && moved.sequence > first.sequence)
            // A revocation that took its turn late (or came from a clock behind) never moves it back.
            _ = try await store.revoke(RevokedToken(tokenID: "t5", clientID: "c", expiresAt: 9000), at: 1150, limitPerClient: 3)
            // The rows: three tokens, the other client's, and one client-wide row that moved.
            let all = try await store.revocations(after: 0, expiringAfter: 0, limit: 100)
            #expect(all.count == 5, "\(all)")
            #expect(all.last?.scope == .clientTokens(issuedAtOrBefore: 1200), "\(all)")
            #expect(all.last?.expiresAt == moved.expiresAt)
        }
    }

    @Test(arguments: StoreKind.available)
    func purgingRevocationsPurgesTheAuditRowsOfTokenRevocationsAsOld(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let cutoff: Int64 = 200_000
            let old = Revocation.auditCutoff(expiredBefore: cutoff) - 1
            try await store.appendAudit(AuditEntry(at: old, actor: .client("c"), action: .tokenRevoked, subject: "old-jti"))
            try await store.appendAudit(AuditEntry(at: old, actor: .cli, action: .clientCreated, subject: "c"))
            try await store.appendAudit(AuditEntry(at: old + 2, actor: .client("c"), action: .tokenRevoked, subject: "recent-jti"))
            try await store.purgeRevokedTokens(expiredBefore: cutoff)
            #expect(try await store.auditEntries(since: 0, limit: 10).map(\.subject) == ["c", "recent-jti"])
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
