/// Keeps the key set in the database, so that every instance sharing it signs and verifies alike.
/// One implementation per database; the decisions (what is due, what a rotation retires and when)
/// are ``KeyLifecycle``'s and ``KeyManager``'s.
///
/// At most one key is `active` at any time; each store enforces it with a unique index, so racing
/// first starts and racing rotations cannot leave two.
///
/// ```swift
/// try await store.insertActiveKeyIfNone(StoredSigningKey(key, material: material, createdAt: now))
/// let keys = try await store.signingKeys()
/// ```
package protocol SigningKeyStore: Sendable {
    /// Every key, retired ones included, newest first.
    func signingKeys() async throws -> [StoredSigningKey]

    /// Stores `key` (whose status is `active`) unless an active key exists already.
    func insertActiveKeyIfNone(_ key: StoredSigningKey) async throws

    /// In one transaction: the active key, if any, becomes `retiring` until `retiresAt`, and `key`
    /// becomes the active key. With `activeCreatedBefore`, nothing happens (and the answer is
    /// false) unless the active key was created before that time: instances racing to carry out
    /// a scheduled rotation make one rotation between them.
    func rotateSigningKey(to key: StoredSigningKey, retiringPreviousUntil retiresAt: Int64, activeCreatedBefore: Int64?)
        async throws -> Bool

    /// Retiring keys whose `retiresAt` is at or before `now` become `retired`, their material erased.
    func retireSigningKeys(dueAt now: Int64) async throws

    /// Replaces the stored material of a key that is not retired (to seal a key kept in the clear).
    func replaceSigningKeyMaterial(id: String, with material: [UInt8]) async throws

    /// The longest access-token lifetime any server on this database has announced, after
    /// announcing `lifetime` (when given): how long a retiring key must keep verifying.
    func longestTokenLifetime(announcing lifetime: Int64?) async throws -> Int64?
}
