import IntakeCore
import Synchronization

/// A store that counts how often the server reads the registry version and the key set, to show
/// that failed authentications and unknown key ids are coalesced into few database reads.
final class CountingStore: IntakeStore {
    private let base: any IntakeStore
    private let reads = Atomic<Int>(0)
    private let keyReads = Atomic<Int>(0)

    init(_ base: any IntakeStore) {
        self.base = base
    }

    var versionReads: Int { reads.load(ordering: .relaxed) }
    var keySetReads: Int { keyReads.load(ordering: .relaxed) }

    func clientsVersion() async throws -> Int64 {
        reads.add(1, ordering: .relaxed)
        return try await base.clientsVersion()
    }

    func insertClient(_ client: ClientRecord) async throws { try await base.insertClient(client) }
    func clients() async throws -> [ClientRecord] { try await base.clients() }
    func client(id: String) async throws -> ClientRecord? { try await base.client(id: id) }
    func setClientEnabled(id: String, _ enabled: Bool) async throws -> Bool { try await base.setClientEnabled(id: id, enabled) }
    func replaceClientSecretHash(id: String, with hash: SecretHash, previousValidUntil: Int64?) async throws -> Bool {
        try await base.replaceClientSecretHash(id: id, with: hash, previousValidUntil: previousValidUntil)
    }
    func revoke(_ token: RevokedToken, at now: Int64, limitPerClient: Int) async throws -> Revocation? {
        try await base.revoke(token, at: now, limitPerClient: limitPerClient)
    }
    func revocations(after sequence: Int64, expiringAfter cutoff: Int64, limit: Int) async throws -> [Revocation] {
        try await base.revocations(after: sequence, expiringAfter: cutoff, limit: limit)
    }
    func purgeRevokedTokens(expiredBefore cutoff: Int64) async throws { try await base.purgeRevokedTokens(expiredBefore: cutoff) }
    func appendAudit(_ entry: AuditEntry) async throws { try await base.appendAudit(entry) }
    func auditEntries(since: Int64, limit: Int) async throws -> [AuditEntry] { try await base.auditEntries(since: since, limit: limit) }
    func deleteClient(id: String) async throws -> Bool { try await base.deleteClient(id: id) }
    func signingKeys() async throws -> [StoredSigningKey] {
        keyReads.add(1, ordering: .relaxed)
        return try await base.signingKeys()
    }
    func insertActiveKeyIfNone(_ key: StoredSigningKey) async throws { try await base.insertActiveKeyIfNone(key) }
    func rotateSigningKey(to key: StoredSigningKey, retiringPreviousUntil retiresAt: Int64, activeCreatedBefore: Int64?) async throws -> Bool {
        try await base.rotateSigningKey(to: key, retiringPreviousUntil: retiresAt, activeCreatedBefore: activeCreatedBefore)
    }
    func retireSigningKeys(dueAt now: Int64) async throws { try await base.retireSigningKeys(dueAt: now) }
    func replaceSigningKeyMaterial(id: String, with material: [UInt8]) async throws {
        try await base.replaceSigningKeyMaterial(id: id, with: material)
    }
    func longestTokenLifetime(announcing lifetime: Int64?) async throws -> Int64? {
        try await base.longestTokenLifetime(announcing: lifetime)
    }
    func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome { try await base.store(submission) }
    func eventPage(_ query: EventPageQuery) async throws -> EventRecordPage { try await base.eventPage(query) }
    func purgeIdempotencyKeys(olderThan cutoff: Int64) async throws { try await base.purgeIdempotencyKeys(olderThan: cutoff) }
    func deleteEvents(receivedBefore cutoff: Int64, limit: Int) async throws -> Int {
        try await base.deleteEvents(receivedBefore: cutoff, limit: limit)
    }
    func checkReadiness() async throws { try await base.checkReadiness() }
    func checkWritable() async throws { try await base.checkWritable() }
}
