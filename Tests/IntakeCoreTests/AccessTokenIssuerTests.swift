import Foundation
import IntakeCore
import IntakeTestSupport
import Testing

@Suite("AccessTokenIssuer")
struct AccessTokenIssuerTests {
    let key: SigningKey
    let issuer: AccessTokenIssuer

    init() throws {
        key = try SigningKey(bytes: (0..<32).map { UInt8($0 * 7 + 3) })
        issuer = AccessTokenIssuer(key: key, issuer: TokenForge.issuer, audience: TokenForge.audience, lifetime: 3600)
    }

    @Test func tokenIsThreeBase64URLPartsStartingWithTheHS256Header() throws {
        let token = try issuer.issue(clientID: "client-1", scopes: .defaultForNewClients, now: TokenForge.now)
        #expect(token.hasPrefix("eyJhbGciOiJIUzI1NiIs"))
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for part in parts {
            #expect(!part.isEmpty)
            #expect(part.allSatisfy(alphabet.contains), "\(part)")
        }
        // HMAC-SHA256 is 32 bytes: 43 base64url characters.
        #expect(parts[2].count == 43)
    }

    @Test func headerIsExactlyAlgTypKid() throws {
        let token = try issuer.issue(clientID: "client-1", scopes: .defaultForNewClients, now: TokenForge.now)
        #expect(try TokenForge.rawPart(0, of: token) == #"{"alg":"HS256","typ":"at+jwt","kid":"\#(key.id)"}"#)
    }

    @Test func claimsCarryEveryRFC9068MemberWithIntegerTimes() throws {
        let scopes = try ScopeSet(parsing: "events:write events:read")
        let token = try issuer.issue(clientID: "abc_DEF-123", scopes: scopes, now: TokenForge.now)
        let raw = try TokenForge.rawPart(1, of: token)
        let claims = try TokenForge.json(part: 1, of: token)
        #expect(claims["iss"] as? String == TokenForge.issuer)
        #expect(claims["aud"] as? String == TokenForge.audience)
        #expect(claims["sub"] as? String == "abc_DEF-123")
        #expect(claims["client_id"] as? String == "abc_DEF-123")
        #expect(claims["scope"] as? String == "events:write events:read")
        #expect((claims["iat"] as? NSNumber)?.int64Value == TokenForge.now)
        #expect((claims["exp"] as? NSNumber)?.int64Value == TokenForge.now + 3600)
        let jti = try #require(claims["jti"] as? String)
        #expect(jti.count >= 16)
        #expect(Set(claims.keys) == ["iss", "aud", "sub", "client_id", "iat", "exp", "jti", "scope"])
        // Integer times: no fraction, no exponent.
        #expect(raw.contains(#""iat":\#(TokenForge.now),"#), "\(raw)")
        #expect(raw.contains(#""exp":\#(TokenForge.now + 3600),"#), "\(raw)")
        // Slashes are not escaped.
        #expect(raw.contains(#""iss":"https://issuer.intake.test""#), "\(raw)")
    }

    @Test(arguments: [Int64(60), 900, 3600, 86_400])
    func expiryIsIssuedAtPlusLifetime(lifetime: Int64) throws {
        let issuer = AccessTokenIssuer(key: key, issuer: TokenForge.issuer, audience: TokenForge.audience, lifetime: lifetime)
        #expect(issuer.lifetime == lifetime)
        let claims = try TokenForge.json(part: 1, of: try issuer.issue(clientID: "c", scopes: .defaultForNewClients, now: 1234))
        #expect((claims["iat"] as? NSNumber)?.int64Value == 1234)
        #expect((claims["exp"] as? NSNumber)?.int64Value == 1234 + lifetime)
    }

    @Test func everyTokenHasItsOwnJTI() throws {
        var ids = Set<String>()
        for _ in 0..<200 {
            let claims = try TokenForge.json(part: 1, of: try issuer.issue(clientID: "c", scopes: .defaultForNewClients, now: 1))
            ids.insert(try #require(claims["jti"] as? String))
        }
        #expect(ids.count == 200)
    }

    @Test func signatureIsHMACSHA256OverHeaderAndPayload() throws {
        let token = try issuer.issue(clientID: "client-1", scopes: .defaultForNewClients, now: TokenForge.now)
        let parts = token.split(separator: ".")
        let header = try TokenForge.rawPart(0, of: token)
        let claims = try TokenForge.rawPart(1, of: token)
        let expected = TokenForge(key: key).token(header: header, claims: claims)
        #expect(expected.split(separator: ".")[2] == parts[2])
    }

    @Test func keyIDIsTheKeysID() {
        #expect(issuer.key.id == key.id)
    }

    @Test func emptyScopeIsWrittenAsEmptyString() throws {
        let claims = try TokenForge.json(part: 1, of: try issuer.issue(clientID: "c", scopes: try ScopeSet(parsing: ""), now: 1))
        #expect(claims["scope"] as? String == "")
    }

    @Test func clientIDWithJSONSpecialCharactersStaysValidJSON() throws {
        let token = try issuer.issue(clientID: "we\"ird\\id\n", scopes: .defaultForNewClients, now: 1)
        let claims = try TokenForge.json(part: 1, of: token)
        #expect(claims["sub"] as? String == "we\"ird\\id\n")
    }
}
