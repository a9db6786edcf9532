import IntakeCore
import Testing

@Suite("SecretHash")
struct SecretHashTests {
    @Test func matchesOnlyTheSecretItWasMadeFrom() {
        let secret = ClientCredentials.generateSecret()
        let hash = SecretHash(of: secret)
        #expect(hash.matches(Array(secret.utf8)))
        #expect(!hash.matches(Array(ClientCredentials.generateSecret().utf8)))
        #expect(!hash.matches(Array(secret.dropLast().utf8)))
        #expect(!hash.matches(Array((secret + "x").utf8)))
        #expect(!hash.matches(Array(secret.uppercased().utf8)))
        #expect(!hash.matches([UInt8]()))
    }

    @Test func isTheSHA256Digest() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        let expected: [UInt8] = [
            0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
            0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
        ]
        #expect(SecretHash(of: "abc").bytes == expected)
    }

    @Test func roundTripsThroughStoredBytes() {
        let hash = SecretHash(of: "s3cret")
        let restored = SecretHash(bytes: hash.bytes)
        #expect(restored == hash)
        #expect(restored.matches(Array("s3cret".utf8)))
        #expect(!restored.matches(Array("S3cret".utf8)))
    }

    @Test func differentSecretsHaveDifferentHashes() {
        #expect(SecretHash(of: "a") != SecretHash(of: "b"))
        #expect(SecretHash(of: "a") == SecretHash(of: "a"))
    }

    @Test func decoyMatchesNoOrdinarySecret() {
        #expect(!SecretHash.decoy.matches(Array("".utf8)))
        #expect(!SecretHash.decoy.matches(Array(ClientCredentials.generateSecret().utf8)))
        #expect(SecretHash.decoy.bytes.count == 32)
    }

    @Test func wrongLengthStoredBytesMatchNothing() {
        let truncated = SecretHash(bytes: Array(SecretHash(of: "x").bytes.prefix(16)))
        #expect(!truncated.matches(Array("x".utf8)))
    }
}
