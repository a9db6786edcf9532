/// Why stored key material cannot be used; each says what to do.
package enum KeyMaterialError: Error, Equatable, Sendable, CustomStringConvertible {
    case unusableEncryptionKey
    case encryptedWithoutKey
    case wrongEncryptionKey
    case damaged

    package var description: String {
        switch self {
        case .unusableEncryptionKey:
            "\(KeyMaterialCipher.environmentVariable) must be 32 random bytes in base64url (e.g. openssl rand 32 | basenc --base64url)"
        case .encryptedWithoutKey:
            "the signing keys in this database are encrypted; set \(KeyMaterialCipher.environmentVariable) to the key they were sealed with"
        case .wrongEncryptionKey:
            "\(KeyMaterialCipher.environmentVariable) does not open the signing keys in this database (another key sealed them, or a row was altered)"
        case .damaged:
            "a signing key in this database is damaged (unknown stored form)"
        }
    }
}
