/// Carries out the key set's life against a ``SigningKeyStore``: the first key, rotations,
/// what ``KeyLifecycle`` says is due, and the ``KeySet`` a server signs and verifies with.
/// The CLI and every server instance use it alike, so whichever acts first, the rows agree.
///
/// ```swift
/// let manager = KeyManager(store: store, cipher: .none, trail: AuditTrail(store: store, actor: .cli) { _, _ in })
/// try await manager.ensureActiveKey(algorithm: .es256)
/// let rotated = try await manager.rotate(to: .edDSA)
/// let keys = try manager.keySet(from: try await manager.maintain(), now: UnixTime.now())
/// let listed = try await store.signingKeys()   // reading needs no manager
/// ```
package struct KeyManager: Sendable {
    package let store: any SigningKeyStore & AuditStore
    package let cipher: KeyMaterialCipher
    package let lifecycle: KeyLifecycle
    /// Where rotations are recorded, as the trail's actor's; a scheduled rotation as the server's.
    package let trail: AuditTrail

    package init(
        store: any SigningKeyStore & AuditStore, cipher: KeyMaterialCipher, lifecycle: KeyLifecycle = KeyLifecycle(),
        trail: AuditTrail
    ) {
        self.store = store
        self.cipher = cipher
        self.lifecycle = lifecycle
        self.trail = trail
    }

    /// Makes a key of `algorithm` the active key when there is none (a first start). Instances
    /// starting together agree on one.
    package func ensureActiveKey(algorithm: SigningAlgorithm, now: Int64 = UnixTime.now()) async throws {
        let keys = try await store.signingKeys()
        guard !keys.contains(where: { $0.status == .active }) else { return }
        try checkOpens(keys)
        try await store.insertActiveKeyIfNone(try newKey(algorithm, now: now))
    }

    /// Makes a new active key, of `algorithm` or else of the current key's; the previous key
    /// becomes `retiring` and verifies until every token it can have signed has expired.
    package func rotate(to algorithm: SigningAlgorithm? = nil, now: Int64 = UnixTime.now()) async throws -> StoredSigningKey {
        let keys = try await store.signingKeys()
        try checkOpens(keys)
        let current = keys.first { $0.status == .active }
        let key = try newKey(algorithm ?? current?.algorithm ?? .hs256, now: now)
        _ = try await store.rotateSigningKey(to: key, retiringPreviousUntil: try await retirementTime(now: now), activeCreatedBefore: nil)
        await trail.record(.keyRotated, subject: key.id, detail: "alg=\(key.algorithm.rawValue)")
        return key
    }

    /// Does what is due at `now` (retirements, a scheduled rotation, sealing keys kept in the
    /// clear once a key-encryption key is set) and returns the rows as they then are.
    package func maintain(now: Int64 = UnixTime.now()) async throws -> [StoredSigningKey] {
        var keys = try await store.signingKeys()
        let due = lifecycle.due(keys, now: now)
        let toSeal = keys.filter { $0.status != .retired && $0.material.map(cipher.shouldSeal) == true }
        // Before a write that adds or seals material: a wrong key-encryption key must not leave
        // what others cannot open. (Not on every poll: nothing is written then.)
        if due.rotation || !toSeal.isEmpty { try checkOpens(keys) }
        var changed = false
        if due.retirement {
            try await store.retireSigningKeys(dueAt: now)
            changed = true
        }
        if due.rotation, let active = keys.first(where: { $0.status == .active }) {
            let key = try newKey(active.algorithm, now: now)
            if try await store.rotateSigningKey(
                to: key, retiringPreviousUntil: try await retirementTime(now: now),
                activeCreatedBefore: lifecycle.rotationThreshold(now: now))
            {
                await trail.by(.server).record(.keyRotated, subject: key.id, detail: "alg=\(key.algorithm.rawValue) scheduled")
                changed = true
            }
        }
        for key in toSeal {
            guard let material = key.material else { continue }
            let opened = try SigningKey(id: key.id, algorithm: key.algorithm, bytes: try cipher.open(material, keyID: key.id))
            try await store.replaceSigningKeyMaterial(id: key.id, with: try cipher.seal(opened))
            changed = true
        }
        if changed { keys = try await store.signingKeys() }
        return keys
    }

    /// The key set of the rows that verify at `now`; throws when there is no active key, or when
    /// a key cannot be opened (a missing or wrong key-encryption key, a damaged row).
    package func keySet(from keys: [StoredSigningKey], now: Int64) throws -> KeySet {
        let verifying = KeyLifecycle.verifying(keys, now: now)
        var signing: SigningKey?
        var verification: [VerificationKey] = []
        for row in verifying {
            guard let material = row.material else { throw KeyMaterialError.damaged }
            let key = try SigningKey(id: row.id, algorithm: row.algorithm, bytes: try cipher.open(material, keyID: row.id))
            if row.status == .active {
                signing = key
                verification.insert(key.verificationKey, at: 0)
            } else {
                verification.append(key.verificationKey)
            }
        }
        guard let signing else { throw KeySetError.noActiveKey }
        return KeySet(
            signing: signing, verification: verification, fingerprint: KeySet.fingerprint(of: verifying),
            retirements: Dictionary(verifying.compactMap { row in row.retiresAt.map { (row.id, $0) } }, uniquingKeysWith: min))
    }

    /// Tells the store the lifetime of this server's tokens, so rotations keep old keys long enough.
    package func announceTokenLifetime(_ lifetime: Int64) async throws {
        _ = try await store.longestTokenLifetime(announcing: lifetime)
    }

    /// A key is only added with the cipher that opens the others: a CLI run without the
    /// key-encryption key (or with another one) must not leave a set that no server can open.
    private func checkOpens(_ keys: [StoredSigningKey]) throws {
        for key in keys where key.status != .retired {
            if let material = key.material { _ = try cipher.open(material, keyID: key.id) }
        }
    }

    private func newKey(_ algorithm: SigningAlgorithm, now: Int64) throws -> StoredSigningKey {
        let key = try SigningKey.generate(algorithm)
        return StoredSigningKey(key, material: try cipher.seal(key), createdAt: now)
    }

    /// No server has announced a lifetime yet (a rotation from the CLI before any start): the
    /// longest any server may issue.
    private func retirementTime(now: Int64) async throws -> Int64 {
        let longest = try await store.longestTokenLifetime(announcing: nil) ?? AccessTokenVerifier.maximumLifetime
        return KeyLifecycle.retirementTime(rotatedAt: now, longestTokenLifetime: longest)
    }
}
