import Foundation
import IntakeCore
import IntakeTestSupport
import Testing

@Suite("AccessTokenVerifier")
struct AccessTokenVerifierTests {
    let key: SigningKey
    let otherKey: SigningKey
    let now = TokenForge.now

    init() throws {
        key = try SigningKey(bytes: (0..<32).map { UInt8(truncatingIfNeeded: $0 * 11 + 5) })
        otherKey = try SigningKey(bytes: (0..<32).map { UInt8(truncatingIfNeeded: $0 * 13 + 1) })
    }

    func makeVerifier(keys: [SigningKey]? = nil) -> AccessTokenVerifier {
        AccessTokenVerifier(keys: (keys ?? [key]).map(\.verificationKey), issuer: TokenForge.issuer, audience: TokenForge.audience)
    }

    func makeIssuer(_ key: SigningKey? = nil, lifetime: Int64 = 3600) -> AccessTokenIssuer {
        AccessTokenIssuer(key: key ?? self.key, issuer: TokenForge.issuer, audience: TokenForge.audience, lifetime: lifetime)
    }

    func expectRefused(_ token: String, with expected: AccessTokenError, at time: Int64? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: expected, sourceLocation: sourceLocation) {
            try makeVerifier().verify(token, now: time ?? now)
        }
    }

    // MARK: accepted

    @Test func acceptsAnIssuedToken() throws {
        let scopes = try ScopeSet(parsing: "events:write events:read")
        let token = try makeIssuer().issue(clientID: "client-7", scopes: scopes, now: now)
        let claims = try makeVerifier().verify(token, now: now)
        #expect(claims.clientID == "client-7")
        #expect(claims.subject == "client-7")
        #expect(claims.issuer == TokenForge.issuer)
        #expect(claims.audience == [TokenForge.audience])
        #expect(claims.issuedAt == now)
        #expect(claims.expiresAt == now + 3600)
        #expect(claims.notBefore == nil)
        #expect(claims.scopes == scopes)
        #expect(!claims.tokenID.isEmpty)
    }

    @Test func acceptsAHandForgedTokenSignedWithTheRightKey() throws {
        // Proves the forge builds valid tokens, so the refusals below are about the one thing changed.
        let claims = try makeVerifier().verify(TokenForge.signed(TokenForge.claims(), key: key), now: now)
        #expect(claims.clientID == "client-1")
        #expect(claims.tokenID == "jti-1")
    }

    @Test(arguments: ["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"])
    func acceptsTheAccessTokenMediaTypeInAnyCase(typ: String) throws {
        let token = TokenForge.signed(TokenForge.claims(), key: key, typ: typ)
        #expect(throws: Never.self) { try makeVerifier().verify(token, now: now) }
    }

    @Test func acceptsAnAudienceArrayThatContainsOurs() throws {
        let claims = TokenForge.claims(aud: #"["https://other.test","\#(TokenForge.audience)"]"#)
        let verified = try makeVerifier().verify(TokenForge.signed(claims, key: key), now: now)
        #expect(verified.audience == ["https://other.test", TokenForge.audience])
    }

    @Test func acceptsTokensOfEveryConfiguredKey() throws {
        let verifier = makeVerifier(keys: [key, otherKey])
        let a = try makeIssuer(key).issue(clientID: "a", scopes: .defaultForNewClients, now: now)
        let b = try makeIssuer(otherKey).issue(clientID: "b", scopes: .defaultForNewClients, now: now)
        #expect(try verifier.verify(a, now: now).clientID == "a")
        #expect(try verifier.verify(b, now: now).clientID == "b")
    }

    @Test func missingScopeClaimMeansNoScopes() throws {
        let claims = try makeVerifier().verify(TokenForge.signed(TokenForge.claims(scope: nil), key: key), now: now)
        #expect(claims.scopes.isEmpty)
    }

    @Test func aTokenFromAnotherInstanceWithTheSameKeyIsAccepted() throws {
        let shared = try SigningKey(base64URL: key.base64URL)
        let token = try makeIssuer(shared).issue(clientID: "lb", scopes: .defaultForNewClients, now: now)
        #expect(try makeVerifier().verify(token, now: now).clientID == "lb")
    }

    // MARK: algorithm and header

    @Test func refusesAlgNone() {
        let token = TokenForge(key: key).token(header: TokenForge.header(alg: "none", kid: key.id), claims: TokenForge.claims(), signature: .raw(""))
        expectRefused(token, with: .algorithmNotAllowed)
    }

    @Test func refusesAlgNoneEvenWithAValidHS256Signature() {
        let token = TokenForge(key: key).token(header: TokenForge.header(alg: "none", kid: key.id), claims: TokenForge.claims())
        expectRefused(token, with: .algorithmNotAllowed)
    }

    @Test func refusesHS512SignedWithTheSameKeyBytes() {
        let token = TokenForge(key: key).token(header: TokenForge.header(alg: "HS512", kid: key.id), claims: TokenForge.claims(), signature: .hs512)
        expectRefused(token, with: .algorithmNotAllowed)
    }

    @Test func refusesAnRS256Header() {
        let fakeSignature = TokenForge.base64URL((0..<256).map { UInt8($0) })
        let token = TokenForge(key: key).token(header: TokenForge.header(alg: "RS256", kid: key.id), claims: TokenForge.claims(), signature: .raw(fakeSignature))
        expectRefused(token, with: .algorithmNotAllowed)
        // Key confusion: RS256 header, HMAC over the key bytes.
        let confused = TokenForge(key: key).token(header: TokenForge.header(alg: "RS256", kid: key.id), claims: TokenForge.claims())
        expectRefused(confused, with: .algorithmNotAllowed)
    }

    @Test(arguments: ["hs256", "HS 256", ""])
    func refusesAlgorithmNamesThatAreNotExactlyHS256(alg: String) {
        let token = TokenForge(key: key).token(header: TokenForge.header(alg: alg, kid: key.id), claims: TokenForge.claims())
        expectRefused(token, with: .algorithmNotAllowed)
    }

    @Test(arguments: ["JWT", "jwt", "at+jws", "application/jwt"])
    func refusesOtherTypes(typ: String) {
        expectRefused(TokenForge.signed(TokenForge.claims(), key: key, typ: typ), with: .wrongType)
    }

    @Test func refusesAMissingType() {
        let token = TokenForge(key: key).token(header: TokenForge.header(typ: nil, kid: key.id), claims: TokenForge.claims())
        expectRefused(token, with: .wrongType)
    }

    @Test func refusesAnUnknownKeyID() {
        // Signed with another key under that key's kid.
        expectRefused(TokenForge.signed(TokenForge.claims(), key: otherKey), with: .unknownKey)
        // Signed with our key under a kid we don't have.
        let token = TokenForge(key: key).token(header: TokenForge.header(kid: "no-such-kid"), claims: TokenForge.claims())
        expectRefused(token, with: .unknownKey)
    }

    @Test func refusesAMissingKeyID() {
        let token = TokenForge(key: key).token(header: TokenForge.header(kid: nil), claims: TokenForge.claims())
        expectRefused(token, with: .malformed)
    }

    // MARK: signature

    @Test func refusesATamperedPayload() throws {
        let token = try makeIssuer().issue(clientID: "client-1", scopes: .defaultForNewClients, now: now)
        let parts = token.split(separator: ".").map(String.init)
        let original = try TokenForge.rawPart(1, of: token)
        for tampered in [
            original.replacingOccurrences(of: "client-1", with: "client-2"),
            original.replacingOccurrences(of: "events:write", with: "events:read"),
            original.replacingOccurrences(of: #""exp":\#(now + 3600)"#, with: #""exp":\#(now + 999_999)"#),
        ] {
            #expect(tampered != original)
            let forged = parts[0] + "." + TokenForge.base64URL(tampered) + "." + parts[2]
            expectRefused(forged, with: .badSignature)
        }
    }

    @Test func refusesATamperedSignature() throws {
        let token = try makeIssuer().issue(clientID: "client-1", scopes: .defaultForNewClients, now: now)
        let parts = token.split(separator: ".").map(String.init)
        var signature = Array(parts[2])
        // The first character carries six real bits (the last one carries padding bits too).
        signature[0] = signature[0] == "A" ? "B" : "A"
        expectRefused(parts[0] + "." + parts[1] + "." + String(signature), with: .badSignature)
        // 40 characters: whole bytes, a canonical spelling of a shorter (wrong) signature.
        expectRefused(parts[0] + "." + parts[1] + "." + String(parts[2].dropLast(3)), with: .badSignature)
        expectRefused(parts[0] + "." + parts[1] + ".", with: .badSignature)
    }

    @Test func refusesOurKeyIDWithAnotherKeysSignature() {
        let token = TokenForge(key: otherKey).token(header: TokenForge.header(kid: key.id), claims: TokenForge.claims())
        expectRefused(token, with: .badSignature)
    }

    // MARK: issuer and audience

    @Test(arguments: ["https://evil.test", "https://issuer.intake.test/", "HTTPS://issuer.intake.test", ""])
    func refusesAnotherIssuer(iss: String) {
        expectRefused(TokenForge.signed(TokenForge.claims(iss: iss), key: key), with: .wrongIssuer)
    }

    @Test(arguments: [#""https://evil.test""#, #""https://api.intake.test/""#, #"["https://a.test","https://b.test"]"#, "[]"])
    func refusesAnotherAudience(aud: String) {
        expectRefused(TokenForge.signed(TokenForge.claims(aud: aud), key: key), with: .wrongAudience)
    }

    // MARK: times

    @Test(arguments: [Int64(0), 1, 59])
    func acceptsAnExpiredTokenWithinTheLeeway(secondsPastExpiry: Int64) throws {
        let token = try makeIssuer().issue(clientID: "c", scopes: .defaultForNewClients, now: now)
        #expect(throws: Never.self) { try makeVerifier().verify(token, now: now + 3600 + secondsPastExpiry) }
    }

    @Test(arguments: [Int64(61), 120, 86_400])
    func refusesATokenExpiredPastTheLeeway(secondsPastExpiry: Int64) throws {
        let token = try makeIssuer().issue(clientID: "c", scopes: .defaultForNewClients, now: now)
        expectRefused(token, with: .expired, at: now + 3600 + secondsPastExpiry)
    }

    @Test func aCachedTokenStillExpires() throws {
        let verifier = makeVerifier()
        let token = try makeIssuer().issue(clientID: "c", scopes: .defaultForNewClients, now: now)
        _ = try verifier.verify(token, now: now)
        _ = try verifier.verify(token, now: now + 10)
        #expect(throws: AccessTokenError.expired) { try verifier.verify(token, now: now + 3600 + 61) }
    }

    @Test func aCachedTokenIsStillCheckedForIssuedInFuture() throws {
        let verifier = makeVerifier()
        let token = try makeIssuer().issue(clientID: "c", scopes: .defaultForNewClients, now: now)
        _ = try verifier.verify(token, now: now)
        #expect(throws: AccessTokenError.issuedInFuture) { try verifier.verify(token, now: now - 61) }
    }

    @Test(arguments: [Int64(1), 30, 59])
    func acceptsNotBeforeAndIssuedAtSlightlyInTheFuture(skew: Int64) throws {
        let token = TokenForge.signed(TokenForge.claims(iat: now + skew, nbf: now + skew), key: key)
        #expect(throws: Never.self) { try makeVerifier().verify(token, now: now) }
    }

    @Test(arguments: [Int64(61), 3600])
    func refusesNotBeforeInTheFuturePastTheLeeway(skew: Int64) {
        let token = TokenForge.signed(TokenForge.claims(iat: now, exp: now + 7200, nbf: now + skew), key: key)
        expectRefused(token, with: .notYetValid)
    }

    @Test(arguments: [Int64(61), 3600])
    func refusesIssuedAtInTheFuturePastTheLeeway(skew: Int64) {
        let token = TokenForge.signed(TokenForge.claims(iat: now + skew, exp: now + skew + 3600), key: key)
        expectRefused(token, with: .issuedInFuture)
    }

    @Test func notBeforeIsKeptInTheClaims() throws {
        let claims = try makeVerifier().verify(TokenForge.signed(TokenForge.claims(nbf: now - 5), key: key), now: now)
        #expect(claims.notBefore == now - 5)
    }

    // MARK: size and shape

    @Test func refusesTokensOver4096BytesButAcceptsOnesUpTo4096() throws {
        #expect(AccessTokenVerifier.maximumLength == 4096)
        var longestAccepted = 0
        var shortestRefused = Int.max
        for padding in 2700...2950 {
            let token = TokenForge.signed(TokenForge.claims(jti: String(repeating: "j", count: padding)), key: key)
            if token.utf8.count <= 4096 {
                #expect(throws: Never.self) { try makeVerifier().verify(token, now: now) }
                longestAccepted = max(longestAccepted, token.utf8.count)
            } else {
                #expect(throws: AccessTokenError.tooLong) { try makeVerifier().verify(token, now: now) }
                shortestRefused = min(shortestRefused, token.utf8.count)
            }
        }
        #expect(longestAccepted >= 4094)
        #expect(shortestRefused <= 4098)
    }

    @Test func refusesLongGarbageAsTooLong() {
        expectRefused(String(repeating: "a", count: 4097), with: .tooLong)
        expectRefused(String(repeating: "a.", count: 5000), with: .tooLong)
    }

    @Test(arguments: [
        "", "garbage", "a.b", "a.b.c", "a.b.c.d", "..", "eyJ.eyJ.", "Bearer abc",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.e30.AAAA",
    ])
    func refusesGarbageAsMalformed(token: String) {
        expectRefused(token, with: .malformed)
    }

    @Test func refusesAPayloadThatIsNotJSON() {
        let token = TokenForge(key: key).token(header: TokenForge.header(kid: key.id), claims: "not json")
        expectRefused(token, with: .malformed)
    }

    @Test func refusesAPayloadWithoutRequiredClaims() {
        let token = TokenForge(key: key).token(header: TokenForge.header(kid: key.id), claims: #"{"iss":"\#(TokenForge.issuer)"}"#)
        expectRefused(token, with: .malformed)
    }

    @Test func errorDescriptionsNeverRepeatTheToken() throws {
        let token = try makeIssuer().issue(clientID: "c", scopes: .defaultForNewClients, now: now)
        let errors: [AccessTokenError] = [
            .tooLong, .malformed, .algorithmNotAllowed, .wrongType, .unknownKey, .badSignature, .wrongIssuer,
            .wrongAudience, .expired, .notYetValid, .issuedInFuture, .lifetimeTooLong, .clientNotActive,
        ]
        #expect(Set(errors.map(\.description)).count == errors.count)
        for error in errors {
            #expect(!error.description.contains(token))
            #expect(!error.description.isEmpty)
        }
        #expect(AccessTokenError.tooLong.description.contains("4096"))
    }
}
