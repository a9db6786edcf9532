import Foundation
import IntakeCore
import IntakeTestSupport
import Testing

/// What the standards refuse and a lenient JWT parser accepts, tried with the key in hand: each
/// token below is correctly signed, so only the rule under test can refuse it.
@Suite("AccessTokenVerifier refuses what RFC 7515, 7519 and 8725 refuse")
struct AccessTokenStrictnessTests {
    let key: SigningKey
    let now = TokenForge.now

    init() throws {
        key = try SigningKey(bytes: (0..<32).map { UInt8(truncatingIfNeeded: $0 * 17 + 9) })
    }

    func verify(_ token: String, keys: [SigningKey]? = nil) throws(AccessTokenError) -> AccessTokenClaims {
        try AccessTokenVerifier(keys: (keys ?? [key]).map(\.verificationKey), issuer: TokenForge.issuer, audience: TokenForge.audience)
            .verify(token, now: now)
    }

    /// `signingInput` with its signature.
    func signed(_ signingInput: String) throws -> String {
        signingInput + "." + TokenForge.base64URL(try key.signature(for: Array(signingInput.utf8)))
    }

    func header(_ extra: String) -> String {
        #"{"alg":"HS256","typ":"at+jwt","kid":"\#(key.id)"\#(extra)}"#
    }

    @Test func theBaselineTokenVerifies() throws {
        #expect(try verify(TokenForge.signed(TokenForge.claims(), by: key)).clientID == "client-1")
    }

    @Test(arguments: [#","crit":["exp"]"#, #","crit":["b64"],"b64":false"#, #","crit":[]"#])
    func refusesACriticalHeader(extra: String) throws {
        let token = try TokenForge.signed(TokenForge.claims(), by: key, header: header(extra))
        #expect(throws: AccessTokenError.refusedHeader("crit")) { try verify(token) }
    }

    @Test(arguments: [
        ("jku", #","jku":"https://attacker.test/jwks.json""#),
        ("jwk", #","jwk":{"kty":"oct","k":"AAAA"}"#),
        ("x5u", #","x5u":"https://attacker.test/cert.pem""#),
        ("x5c", #","x5c":["MIIB"]"#),
    ])
    func refusesHeadersThatPointAtAKey(name: String, extra: String) throws {
        let token = try TokenForge.signed(TokenForge.claims(), by: key, header: header(extra))
        #expect(throws: AccessTokenError.refusedHeader(name)) { try verify(token) }
    }

    @Test(arguments: [
        #"{"iss":"https://issuer.intake.test","aud":"https://api.intake.test","sub":"client-1","client_id":"client-1","iat":1700000000,"exp":1700003600,"jti":"j","scope":"events:write","scope":"events:write events:read"}"#,
        #"{"iss":"https://issuer.intake.test","aud":"https://api.intake.test","sub":"client-1","client_id":"someone-else","client_id":"client-1","iat":1700000000,"exp":1700003600,"jti":"j"}"#,
        #"{"iss":"https://issuer.intake.test","aud":"https://api.intake.test","sub":"client-1","client_id":"client-1","iat":1700000000,"exp":1700003600,"exp":1800000000,"jti":"j"}"#,
    ])
    func refusesDuplicateClaimNames(claims: String) throws {
        let token = try TokenForge.signed(claims, by: key)
        #expect(throws: AccessTokenError.malformed) { try verify(token) }
    }

    @Test func refusesDuplicateHeaderNames() throws {
        let token = try TokenForge.signed(TokenForge.claims(), by: key, header: header(#","typ":"JWT""#))
        #expect(throws: AccessTokenError.malformed) { try verify(token) }
    }

    @Test(arguments: [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] as [[UInt8]])
    func refusesInvalidUTF8InThePayload(bytes: [UInt8]) throws {
        let claims = Array(TokenForge.claims(clientID: "X").utf8)
        let marker = Array(#""client_id":"X""#.utf8)
        let at = try #require(claims.indices.first { claims[$0...].starts(with: marker) })
        var payload = Array(claims[..<(at + marker.count - 2)])
        payload += bytes
        payload += claims[(at + marker.count - 1)...]
        let token = try signed(TokenForge.base64URL(Array(header("").utf8)) + "." + TokenForge.base64URL(payload))
        #expect(throws: AccessTokenError.malformed) { try verify(token) }
    }

    /// A token has one spelling: the same bytes in another base64url form are not the same token.
    @Test func refusesNonCanonicalBase64URL() throws {
        let token = try TokenForge.signed(TokenForge.claims(), by: key)
        var parts = token.split(separator: ".").map(String.init)
        // The signature is 32 bytes: 43 characters whose last carries 2 unused bits.
        var signature = Array(parts[2].utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let value = try #require(alphabet.firstIndex(of: signature[signature.count - 1]))
        signature[signature.count - 1] = alphabet[value | 1]
        #expect(value & 1 == 0, "an honest encoder leaves the unused bits zero")
        parts[2] = String(decoding: signature, as: UTF8.self)
        let variant = parts.joined(separator: ".")
        #expect(variant != token)
        #expect(try TokenForge.decodeBase64URL(parts[2]) == TokenForge.decodeBase64URL(token.split(separator: ".")[2]))
        #expect(throws: AccessTokenError.malformed) { try verify(variant) }
        // Padding, and the standard alphabet, are other spellings too ("~~~>>>?" encodes to `-` and `_`).
        #expect(throws: AccessTokenError.malformed) { try verify(token + "=") }
        let urlSafe = try TokenForge.signed(TokenForge.claims(jti: "~~~>>>???"), by: key)
        let standard = urlSafe.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        #expect(standard != urlSafe)
        #expect(try verify(urlSafe).tokenID == "~~~>>>???")
        #expect(throws: AccessTokenError.malformed) { try verify(standard) }
    }

    @Test(arguments: ["a.b", "a.b.c.d", "..", ".", ""])
    func refusesAnythingButThreeParts(token: String) {
        #expect(throws: AccessTokenError.malformed) { try verify(token) }
    }

    /// No arithmetic on a claim may trap: these must come back as refusals, not crashes.
    @Test(arguments: [
        (#""exp":9223372036854775807"#, AccessTokenError.lifetimeTooLong),
        (#""exp":9223372036854775806"#, .lifetimeTooLong),
        (#""exp":-9223372036854775808"#, .expired),
        (#""exp":9223372036854775808"#, .malformed),
        (#""exp":99999999999999999999999"#, .malformed),
        (#""exp":1e300"#, .malformed),
        (#""exp":1700003600.5"#, .malformed),
        (#""exp":"1700003600""#, .malformed),
    ])
    func extremeOrMistypedTimesAreRefusedWithoutTrapping(exp: String, expected: AccessTokenError) throws {
        let claims = #"{"iss":"https://issuer.intake.test","aud":"https://api.intake.test","sub":"c","client_id":"c","iat":1700000000,\#(exp),"jti":"j"}"#
        let token = try TokenForge.signed(claims, by: key)
        #expect(throws: expected) { try verify(token) }
    }

    @Test(arguments: [
        (#""iat":-9223372036854775808"#, AccessTokenError.lifetimeTooLong), (#""iat":9223372036854775807"#, .issuedInFuture),
    ])
    func extremeIssuedAtIsRefusedWithoutTrapping(iat: String, expected: AccessTokenError) throws {
        let claims = #"{"iss":"https://issuer.intake.test","aud":"https://api.intake.test","sub":"c","client_id":"c",\#(iat),"exp":1700003600,"jti":"j"}"#
        let token = try TokenForge.signed(claims, by: key)
        #expect(throws: expected) { try verify(token) }
    }

    @Test(arguments: [#""aud":["https://api.intake.test",7]"#, #""aud":7"#, #""sub":null"#, #""scope":["events:write"]"#])
    func refusesClaimsOfTheWrongType(member: String) throws {
        let name = String(member.dropFirst().prefix { $0 != "\"" })
        var members = [
            #""iss":"https://issuer.intake.test""#, #""aud":"https://api.intake.test""#, #""sub":"c""#, #""client_id":"c""#,
            #""iat":1700000000"#, #""exp":1700003600"#, #""jti":"j""#,
        ].filter { !$0.hasPrefix("\"\(name)\"") }
        members.append(member)
        let token = try TokenForge.signed("{" + members.joined(separator: ",") + "}", by: key)
        #expect(throws: AccessTokenError.malformed) { try verify(token) }
    }
}
