import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeTestSupport
import Testing

/// Validly signed tokens whose times sit at the edges of Int64, sent to a live server: each is a
/// 401 invalid_token and the server goes on serving (an arithmetic trap would kill the process).
@Suite("Extreme token times on /v2")
struct ExtremeTokenTimesTests {
    static let extremes: [Int64] = [.max, .max - 30, .max - 60, .min, .min + 30, 0, -1, -86_400]

    @Test("A signed token with an extreme exp, iat or nbf is 401 invalid_token, never a crash")
    func extremeTimes() async throws {
        try await TestServer.run { server in
            let credentials = try await server.registerReaderWriter()
            let forge = TokenForge(key: server.signingKey)
            let header = TokenForge.header(kid: server.signingKey.id)
            let now = Int64(Date().timeIntervalSince1970)
            var claimSets: [(String, String)] = []
            for value in Self.extremes {
                claimSets.append(("exp=\(value)", TokenForge.claims(for: credentials.clientID, issuedAt: now, expiresAt: value)))
                claimSets.append(("iat=\(value)", TokenForge.claims(for: credentials.clientID, issuedAt: value, expiresAt: now + 600)))
                claimSets.append(("all=\(value)", TokenForge.claims(for: credentials.clientID, issuedAt: value, expiresAt: value, notBefore: value)))
            }
            for value in [Int64.max, Int64.max - 30, Int64.max - 60] {
                claimSets.append(("nbf=\(value)", TokenForge.claims(for: credentials.clientID, issuedAt: now, expiresAt: now + 600, notBefore: value)))
            }
            for (label, claims) in claimSets {
                let token = forge.token(header: header, claims: claims)
                let write = try await server.post("/v2/event", json: BearerAuthenticationTests.event, token: token)
                try expectBearerError(write, status: .unauthorized, error: "invalid_token")
                #expect(write.status == .unauthorized, "\(label)")
                let read = try await server.get("/v2/events", token: token)
                #expect(read.status == .unauthorized, "\(label)")
            }
            // Still alive, and an honest token still works.
            let token = try await server.token(for: credentials)
            let accepted = try await server.post("/v2/event", json: BearerAuthenticationTests.event, token: token)
            #expect(accepted.status == .created, "\(accepted.text)")
        }
    }
}
