/// One row of the key set as the database keeps it.
///
/// ``material`` is what ``KeyMaterialCipher`` made of the key's bytes (sealed with AES-GCM when a
/// key-encryption key is configured), and nil once the key is retired.
///
/// ```swift
/// let key = try SigningKey.generate(.es256)
/// let row = StoredSigningKey(key, material: try cipher.seal(key), createdAt: UnixTime.now())
/// ```
package struct StoredSigningKey: Sendable, Equatable {
    package var id: String
    package var algorithm: SigningAlgorithm
    package var status: KeyStatus
    /// Seconds since 1970.
    package var createdAt: Int64
    /// When a retiring key stops verifying: every token it signed has expired by then.
    package var retiresAt: Int64?
    package var material: [UInt8]?

    package init(
        id: String, algorithm: SigningAlgorithm, status: KeyStatus, createdAt: Int64, retiresAt: Int64? = nil,
        material: [UInt8]?
    ) {
        self.id = id
        self.algorithm = algorithm
        self.status = status
        self.createdAt = createdAt
        self.retiresAt = retiresAt
        self.material = material
    }

    /// A new active key.
    package init(_ key: SigningKey, material: [UInt8], createdAt: Int64) {
        self.init(id: key.id, algorithm: key.algorithm, status: .active, createdAt: createdAt, material: material)
    }
}
