import IntakeCore
import Testing

@Suite("Revocation list")
struct RevocationListTests {
    static func claims(_ tokenID: String, client: String = "c", issuedAt: Int64 = 1000, expiresAt: Int64 = 4600) throws -> AccessTokenClaims {
        AccessTokenClaims(
            issuer: "https://i.test", subject: client, clientID: client, audience: ["https://i.test"], issuedAt: issuedAt,
            expiresAt: expiresAt, tokenID: tokenID, scopes: try ScopeSet(parsing: "events:write"), keyID: "k")
    }

    static func token(_ id: String, client: String = "c", expiresAt: Int64 = 4600, sequence: Int64) -> Revocation {
        Revocation(scope: .token(id: id), clientID: client, expiresAt: expiresAt, sequence: sequence)
    }

    @Test func readRevocationsMoveTheSequenceOnAndLocalOnesDoNot() throws {
        let list = RevocationList()
        list.merge([Self.token("a", sequence: 3), Self.token("b", sequence: 5)], now: 1000)
        #expect(list.lastSequence == 5)
        // Made here with sequence 9: sequences 6 to 8 of other instances are still to be read.
        list.insert(Self.token("c", sequence: 9), now: 1000)
        #expect(list.lastSequence == 5)
        #expect(try list.covers(Self.claims("a")) && list.covers(Self.claims("c")))
        #expect(!list.covers(try Self.claims("z")))
    }

    @Test func aClientWideRevocationCoversTokensIssuedUntilItsInstantOnly() throws {
        let list = RevocationList()
        list.merge([Revocation(scope: .clientTokens(issuedAtOrBefore: 2000), clientID: "c", expiresAt: 90_000, sequence: 1)], now: 2000)
        #expect(list.covers(try Self.claims("x", issuedAt: 1999)))
        #expect(list.covers(try Self.claims("y", issuedAt: 2000)))
        #expect(!list.covers(try Self.claims("z", issuedAt: 2001)))
        #expect(!list.covers(try Self.claims("x", client: "other", issuedAt: 1999)))
        #expect(list.coversEveryEarlierToken(of: "c") && !list.coversEveryEarlierToken(of: "other"))
        // Moved forward, never back.
        list.merge([Revocation(scope: .clientTokens(issuedAtOrBefore: 1500), clientID: "c", expiresAt: 90_000, sequence: 2)], now: 2000)
        #expect(list.covers(try Self.claims("y", issuedAt: 2000)))
    }

    @Test func revocationsLeaveOnceTheirTokensHaveExpired() throws {
        let list = RevocationList()
        list.merge([Self.token("soon", expiresAt: 1200, sequence: 1), Self.token("later", expiresAt: 5000, sequence: 2)], now: 1000)
        list.merge([Revocation(scope: .clientTokens(issuedAtOrBefore: 1000), clientID: "c2", expiresAt: 1300, sequence: 3)], now: 1000)
        list.sweep(now: 1200)
        #expect(list.count == 2, "within the leeway a token is still honoured elsewhere, so its revocation stays")
        list.sweep(now: 1200 + AccessTokenVerifier.leeway + 60)
        #expect(list.count == 1)
        #expect(try !list.covers(Self.claims("soon")) && list.covers(Self.claims("later")))
        list.sweep(now: 1300 + AccessTokenVerifier.leeway + 1)
        #expect(!list.coversEveryEarlierToken(of: "c2"))
        // Already expired when read: not taken up at all, but the sequence still moves on.
        list.merge([Self.token("old", expiresAt: 10, sequence: 7)], now: 5000)
        #expect(list.lastSequence == 7 && list.count == 1)
    }
}
