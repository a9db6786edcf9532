import Foundation
import IntakeCore
import IntakeModel
import IntakeTestSupport
import Testing

/// Every algorithm signs, verifies, survives storage, and is pinned to its key.
@Suite("Signing algorithms")
struct SigningAlgorithmsTests {
    let now = TokenForge.now

    func verifier(_ keys: [SigningKey]) -> AccessTokenVerifier {
        AccessTokenVerifier(keys: keys.map(\.verificationKey), issuer: TokenForge.issuer, audience: TokenForge.audience)
    }

    func issue(_ key: SigningKey) throws -> String {
        try AccessTokenIssuer(key: key, issuer: TokenForge.issuer, audience: TokenForge.audience, lifetime: 3600)
            .issue(clientID: "c", scopes: .defaultForNewClients, now: now)
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func aTokenOfEachAlgorithmVerifiesWithItsKeyAndNoOther(_ algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm)
        let token = try issue(key)
        let header = try TokenForge.json(part: 0, of: token)
        #expect(header["alg"] as? String == algorithm.rawValue)
        #expect(header["kid"] as? String == key.id)
        #expect(try verifier([key]).verify(token, now: now).keyID == key.id)
        let other = try SigningKey.generate(algorithm)
        #expect(throws: AccessTokenError.unknownKey) { try verifier([other]).verify(token, now: now) }
        // The same kid with another key's material: the signature decides.
        let impostor = try SigningKey(id: key.id, algorithm: algorithm, bytes: other.bytes)
        #expect(throws: AccessTokenError.badSignature) { try verifier([impostor]).verify(token, now: now) }
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func aStoredKeyComesBackTheSame(_ algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm)
        let reloaded = try SigningKey(id: key.id, algorithm: algorithm, bytes: key.bytes)
        #expect(try verifier([reloaded]).verify(try issue(key), now: now).keyID == key.id)
        #expect(try verifier([key]).verify(try issue(reloaded), now: now).keyID == key.id)
    }

    @Test(arguments: [SigningAlgorithm.rs256, .es256, .edDSA])
    func bytesOfAnotherKindAreRefused(_ algorithm: SigningAlgorithm) {
        #expect(throws: SigningKeyError.invalidKey(algorithm)) {
            try SigningKey(id: "k", algorithm: algorithm, bytes: [UInt8](repeating: 7, count: 5))
        }
    }

    @Test func generatedRSAKeysHave2048Bits() throws {
        let key = try SigningKey.generate(.rs256)
        let jwk = try JSONValue(parsing: try #require(key.verificationKey.jwk))
        guard case .string(let modulus)? = jwk.objectMember("n") else {
            Issue.record("no n in \(jwk)")
            return
        }
        #expect(try TokenForge.decodeBase64URL(modulus).count == 256)
    }

    /// Key confusion (RFC 8725 §2.1): an HS256 token "signed" with a public key's published bytes
    /// as the HMAC secret, under that key's kid.
    @Test(arguments: [SigningAlgorithm.rs256, .es256, .edDSA])
    func anHS256TokenCarryingAnAsymmetricKeysKidIsRefused(_ algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm)
        let published = try #require(key.verificationKey.jwk)
        let forged = TokenForge(keyBytes: published).token(header: TokenForge.header(alg: "HS256", kid: key.id), claims: TokenForge.claims())
        #expect(throws: AccessTokenError.algorithmNotAllowed) { try verifier([key]).verify(forged, now: now) }
        // And the other way: a token of this key under an HS256 key's kid.
        let hmac = try SigningKey.generate(.hs256)
        let crossed = try TokenForge.signed(
            TokenForge.claims(), by: key, header: TokenForge.header(alg: algorithm.rawValue, kid: hmac.id))
        #expect(throws: AccessTokenError.algorithmNotAllowed) { try verifier([hmac, key]).verify(crossed, now: now) }
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func aRememberedTokenStopsVerifyingWhenItsKeyLeaves(_ algorithm: SigningAlgorithm) throws {
        let (old, new) = (try SigningKey.generate(algorithm), try SigningKey.generate(algorithm))
        let verifier = verifier([old, new])
        let token = try issue(old)
        #expect(try verifier.verify(token, now: now).keyID == old.id)  // now remembered
        verifier.replaceKeys([new.verificationKey])
        #expect(throws: AccessTokenError.unknownKey) { try verifier.verify(token, now: now) }
        #expect(try verifier.verify(try issue(new), now: now).keyID == new.id)
    }

    @Test func theJWKOfEachAsymmetricKeyHasItsPublicMembersOnly() throws {
        let expected: [SigningAlgorithm: (kty: String, members: Set<String>)] = [
            .rs256: ("RSA", ["kty", "kid", "alg", "use", "n", "e"]),
            .es256: ("EC", ["kty", "kid", "alg", "use", "crv", "x", "y"]),
            .edDSA: ("OKP", ["kty", "kid", "alg", "use", "crv", "x"]),
        ]
        for (algorithm, shape) in expected {
            let key = try SigningKey.generate(algorithm)
            let jwk = try JSONValue(parsing: try #require(key.verificationKey.jwk))
            let members = try #require(jwk.objectMembers)
            #expect(Set(members.keys) == shape.members, "\(algorithm)")
            #expect(members["kty"] == .string(shape.kty))
            #expect(members["alg"] == .string(algorithm.rawValue))
            #expect(members["use"] == .string("sig"))
            #expect(members["kid"] == .string(key.id))
        }
        #expect(try SigningKey.generate(.hs256).verificationKey.jwk == nil, "an HS256 secret must never become a JWK")
        let rsa = try JSONValue(parsing: try #require(try SigningKey.generate(.rs256).verificationKey.jwk))
        #expect(rsa.objectMember("e") == .string("AQAB"))
    }
}

extension JSONValue {
    fileprivate var objectMembers: [String: JSONValue]? {
        if case .object(let members) = self { members } else { nil }
    }

    fileprivate func objectMember(_ name: String) -> JSONValue? { objectMembers?[name] }
}
