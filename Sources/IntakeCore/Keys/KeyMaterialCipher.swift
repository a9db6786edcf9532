import Crypto
import ExtrasBase64

/// Seals signing keys before they reach the database, and opens them after.
///
/// With a key-encryption key (`INTAKE_KEY_ENCRYPTION_KEY`, 32 random bytes in base64url, as
/// Ory Hydra's `SECRETS_SYSTEM`), a key's bytes are stored as AES-256-GCM ciphertext bound to its
/// `kid` (the additional data), so a row's material cannot be moved to another row. Without one
/// they are stored in the clear, and the database's own protections are all there is.
///
/// Stored form: `0x00 ‖ bytes`, or `0x01 ‖ nonce (12) ‖ ciphertext ‖ tag (16)`.
///
/// ```swift
/// let cipher = try KeyMaterialCipher(base64URL: environment["INTAKE_KEY_ENCRYPTION_KEY"])
/// let stored = try cipher.seal(key)
/// let bytes = try cipher.open(stored, keyID: key.id)
/// ```
package struct KeyMaterialCipher: Sendable {
    package static let environmentVariable = "INTAKE_KEY_ENCRYPTION_KEY"
    private static let clear: UInt8 = 0
    private static let sealed: UInt8 = 1

    private let key: SymmetricKey?

    /// A cipher that stores keys in the clear.
    package static let none = KeyMaterialCipher(key: nil)

    private init(key: SymmetricKey?) { self.key = key }

    /// The cipher for `text` (a base64url key-encryption key of exactly 32 bytes), or ``none`` when nil.
    package init(base64URL text: String?) throws(KeyMaterialError) {
        guard let text else {
            self.init(key: nil)
            return
        }
        guard let bytes = EnvironmentKeyText.decode(text), bytes.count == 32 else { throw .unusableEncryptionKey }
        self.init(key: SymmetricKey(data: bytes))
    }

    /// Whether keys are sealed before they are stored.
    package var encrypts: Bool { key != nil }

    /// The stored form of `key`'s bytes.
    package func seal(_ key: SigningKey) throws -> [UInt8] {
        guard let encryptionKey = self.key else { return [Self.clear] + key.bytes }
        let box = try AES.GCM.seal(key.bytes, using: encryptionKey, authenticating: Array(key.id.utf8))
        guard let combined = box.combined else { throw KeyMaterialError.damaged }
        return [Self.sealed] + Array(combined)
    }

    /// The key's bytes from their stored form.
    package func open(_ stored: [UInt8], keyID: String) throws(KeyMaterialError) -> [UInt8] {
        switch stored.first {
        case Self.clear:
            return Array(stored.dropFirst())
        case Self.sealed:
            guard let encryptionKey = key else { throw .encryptedWithoutKey }
            do {
                let box = try AES.GCM.SealedBox(combined: stored.dropFirst())
                return Array(try AES.GCM.open(box, using: encryptionKey, authenticating: Array(keyID.utf8)))
            } catch {
                throw .wrongEncryptionKey
            }
        default:
            throw .damaged
        }
    }

    /// Whether `stored` is in the clear though this cipher would seal it.
    package func shouldSeal(_ stored: [UInt8]) -> Bool { encrypts && stored.first == Self.clear }
}
