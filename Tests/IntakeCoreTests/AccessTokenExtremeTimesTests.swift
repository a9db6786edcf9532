import Foundation
import IntakeCore
import IntakeTestSupport
import Testing

/// Validly signed tokens whose `exp`, `iat` or `nbf` sit at the edges of Int64: the verifier must
/// refuse them (or accept the harmless ones) and never trap on arithmetic.
@Suite("AccessTokenVerifier with extreme claim values")
struct AccessTokenExtremeTimesTests {
    static let extremes: [Int64] = [.max, .max - 30, .max - 60, .min, .min + 30, 0, -1, -3600]

    let key: SigningKey
    let now = TokenForge.now

    init() throws {
        key = try SigningKey(bytes: (0..<32).map { UInt8(truncatingIfNeeded: $0 * 11 + 5) })
    }

    func verify(_ claims: String, at time: Int64? = nil) throws(AccessTokenError) -> AccessTokenClaims {
        try AccessTokenVerifier(keys: [key.verificationKey], issuer: TokenForge.issuer, audience: TokenForge.audience)
            .verify(TokenForge.signed(claims, key: key), now: time ?? now)
    }

    @Test(arguments: extremes)
    func anExtremeExpiryIsRefused(exp: Int64) {
        #expect(throws: AccessTokenError.self) { try verify(TokenForge.claims(iat: now, exp: exp)) }
    }

    @Test(arguments: extremes)
    func anExtremeIssuedAtIsRefused(iat: Int64) {
        #expect(throws: AccessTokenError.self) { try verify(TokenForge.claims(iat: iat, exp: now + 3600)) }
    }

    @Test(arguments: [Int64.max, Int64.max - 30, Int64.max - 60])
    func aNotBeforeAtTheEndOfTimeIsRefused(nbf: Int64) {
        #expect(throws: AccessTokenError.notYetValid) { try verify(TokenForge.claims(nbf: nbf)) }
    }

    @Test("A not-before long past is harmless and accepted", arguments: [Int64.min, Int64.min + 30, 0, -1] as [Int64])
    func aNotBeforeLongPastIsAccepted(nbf: Int64) throws {
        #expect(try verify(TokenForge.claims(nbf: nbf)).notBefore == nbf)
    }

    @Test("Every claim at an extreme at once: refused now, and no trap at any clock", arguments: extremes)
    func everythingExtreme(value: Int64) {
        let claims = TokenForge.claims(iat: value, exp: value, nbf: value)
        #expect(throws: AccessTokenError.self) { try verify(claims) }
        // At a clock near the same extreme such a token may be legitimately current; what matters
        // is that the comparison itself cannot overflow.
        for clock in [Int64.max, .min, 0] {
            _ = try? verify(claims, at: clock)
        }
    }

    @Test func anExpiryBeyondTheLongestLifetimeIsRefused() throws {
        let longest = AccessTokenVerifier.maximumLifetime
        #expect(throws: Never.self) { try verify(TokenForge.claims(iat: now, exp: now + longest)) }
        #expect(throws: AccessTokenError.lifetimeTooLong) {
            try verify(TokenForge.claims(iat: now, exp: now + longest + AccessTokenVerifier.leeway + 1))
        }
        #expect(throws: AccessTokenError.lifetimeTooLong) {
            try verify(TokenForge.claims(iat: now - longest - AccessTokenVerifier.leeway - 1, exp: now + 10))
        }
    }

    @Test func theIssuerSaturatesInsteadOfTrapping() throws {
        let issuer = AccessTokenIssuer(key: key, issuer: TokenForge.issuer, audience: TokenForge.audience, lifetime: 3600)
        let token = try issuer.issue(clientID: "c", scopes: .defaultForNewClients, now: .max - 10)
        let claims = try TokenForge.json(part: 1, of: token)
        #expect((claims["exp"] as? NSNumber)?.int64Value == .max)
    }
}
