import ExtrasBase64
import IntakeCore
import Testing

@Suite("SigningKey")
struct SigningKeyTests {
    static func base64URL(_ bytes: [UInt8], padded: Bool) -> String {
        var text = Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
        if padded { while text.count % 4 != 0 { text += "=" } }
        return text
    }

    /// Bytes that exercise `-` and `_` in base64url.
    static func keyBytes(_ count: Int, seed: UInt8 = 0xF8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: Int(seed) &+ $0 &* 37) | ($0 % 3 == 0 ? 0xFC : 0) }
    }

    @Test(arguments: [0, 1, 16, 31])
    func refusesKeysShorterThan32Bytes(count: Int) {
        #expect(throws: SigningKeyError.tooShort(byteCount: count)) {
            try SigningKey(bytes: [UInt8](repeating: 0xAB, count: count))
        }
    }

    @Test func tooShortHasAClearDescription() throws {
        let error = try #require(throws: SigningKeyError.self) {
            try SigningKey(bytes: [UInt8](repeating: 1, count: 20))
        }
        let text = error.description
        #expect(text.contains("20 bytes"), "\(text)")
        #expect(text.contains("32"), "\(text)")
        #expect(text.contains("HS256"), "\(text)")
        #expect(String(describing: error) == text)
    }

    @Test(arguments: [32, 33, 48, 64])
    func acceptsKeysOf32BytesOrMore(count: Int) throws {
        let bytes = Self.keyBytes(count)
        let key = try SigningKey(bytes: bytes)
        #expect(key.bytes == bytes)
    }

    @Test(arguments: [32, 33, 34, 35, 64], [false, true])
    func decodesBase64URLWithOrWithoutPadding(count: Int, padded: Bool) throws {
        let bytes = Self.keyBytes(count)
        let text = Self.base64URL(bytes, padded: padded)
        if padded && count % 3 != 0 { #expect(text.hasSuffix("=")) }
        let key = try SigningKey(base64URL: text)
        #expect(key.bytes == bytes)
        #expect(key.id == (try SigningKey(bytes: bytes)).id)
    }

    @Test func base64URLFormRoundTrips() throws {
        let key = try SigningKey.generate()
        #expect(!key.base64URL.contains("="))
        #expect(!key.base64URL.contains("+"))
        #expect(!key.base64URL.contains("/"))
        #expect(try SigningKey(base64URL: key.base64URL).bytes == key.bytes)
    }

    @Test func toleratesATrailingNewline() throws {
        let bytes = Self.keyBytes(32)
        #expect(try SigningKey(base64URL: Self.base64URL(bytes, padded: false) + "\n").bytes == bytes)
    }

    @Test func shortBase64URLKeyIsRefusedAsTooShort() {
        #expect(throws: SigningKeyError.tooShort(byteCount: 31)) {
            try SigningKey(base64URL: Self.base64URL(Self.keyBytes(31), padded: false))
        }
    }

    @Test(arguments: ["not base64 at all!", "abc$def", "a+b/" + String(repeating: "A", count: 44), "é" + String(repeating: "A", count: 43)])
    func refusesTextThatIsNotBase64URL(text: String) {
        #expect(throws: SigningKeyError.notBase64URL) { try SigningKey(base64URL: text) }
    }

    @Test func generateGives32RandomBytes() throws {
        let a = try SigningKey.generate()
        let b = try SigningKey.generate()
        #expect(a.bytes.count == 32)
        #expect(a.bytes != b.bytes)
    }

    @Test func keyIDIsStableForAKey() throws {
        let bytes = Self.keyBytes(32)
        let first = try SigningKey(bytes: bytes)
        let second = try SigningKey(bytes: bytes)
        let third = try SigningKey(base64URL: first.base64URL)
        #expect(first.id == second.id)
        #expect(first.id == third.id)
        // first 12 bytes of SHA-256, base64url without padding: 16 characters.
        #expect(first.id.count == 16)
        #expect(first.id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test func keyIDIsTheTruncatedSHA256() throws {
        // SHA-256 of 32 zero bytes = 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925
        let key = try SigningKey(bytes: [UInt8](repeating: 0, count: 32))
        let prefix: [UInt8] = [0x66, 0x68, 0x7a, 0xad, 0xf8, 0x62, 0xbd, 0x77, 0x6c, 0x8f, 0xc1, 0x8b]
        #expect(key.id == Self.base64URL(prefix, padded: false))
    }

    @Test func keyIDDiffersAcrossKeys() throws {
        var ids = Set<String>()
        for _ in 0..<100 { ids.insert(try SigningKey.generate().id) }
        #expect(ids.count == 100)
        var flipped = Self.keyBytes(32)
        let original = try SigningKey(bytes: flipped)
        flipped[31] ^= 1
        #expect(try SigningKey(bytes: flipped).id != original.id)
    }
}
