import IntakeCore
import IntakeTestSupport
import Testing

@Suite("KeyMaterialCipher")
struct KeyMaterialCipherTests {
    let cipher: KeyMaterialCipher

    init() throws {
        cipher = try KeyMaterialCipher(base64URL: TokenForge.base64URL([UInt8](repeating: 0x5A, count: 32)))
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func sealedMaterialOpensToTheSameBytes(_ algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm)
        let sealed = try cipher.seal(key)
        #expect(sealed.first == 1)
        #expect(try cipher.open(sealed, keyID: key.id) == key.bytes)
        // Fresh nonce each time.
        #expect(try cipher.seal(key) != sealed)
    }

    /// The kid is the additional data: material moved to another row does not open.
    @Test func materialIsBoundToItsKeyID() throws {
        let key = try SigningKey.generate(.es256)
        let sealed = try cipher.seal(key)
        #expect(throws: KeyMaterialError.wrongEncryptionKey) { try cipher.open(sealed, keyID: "another-kid") }
        var altered = sealed
        altered[altered.count / 2] ^= 1
        #expect(throws: KeyMaterialError.wrongEncryptionKey) { try cipher.open(altered, keyID: key.id) }
    }

    @Test func withoutAKeyMaterialIsStoredInTheClearAndSealedMaterialDoesNotOpen() throws {
        let key = try SigningKey.generate(.hs256)
        let clear = try KeyMaterialCipher.none.seal(key)
        #expect(clear == [0] + key.bytes)
        #expect(try cipher.open(clear, keyID: key.id) == key.bytes)
        #expect(cipher.shouldSeal(clear))
        #expect(!KeyMaterialCipher.none.shouldSeal(clear))
        #expect(throws: KeyMaterialError.encryptedWithoutKey) { try KeyMaterialCipher.none.open(try cipher.seal(key), keyID: key.id) }
        #expect(throws: KeyMaterialError.damaged) { try cipher.open([7, 1, 2], keyID: key.id) }
    }

    @Test(arguments: ["", "short", TokenForge.base64URL([UInt8](repeating: 1, count: 31)), TokenForge.base64URL([UInt8](repeating: 1, count: 33)), "not base64url!"])
    func refusesAnEncryptionKeyThatIsNot32Bytes(text: String) {
        #expect(throws: KeyMaterialError.unusableEncryptionKey) { try KeyMaterialCipher(base64URL: text) }
    }
}
