import IntakeCore
import Testing

@Suite("ClientCredentials")
struct ClientCredentialsTests {
    static let base64URLAlphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test func idIs22AndSecretIs43Base64URLCharacters() {
        for _ in 0..<200 {
            let credentials = ClientCredentials.generate()
            #expect(credentials.clientID.count == 22)
            #expect(credentials.clientSecret.count == 43)
            #expect(credentials.clientID.allSatisfy(Self.base64URLAlphabet.contains), "\(credentials.clientID)")
            #expect(credentials.clientSecret.allSatisfy(Self.base64URLAlphabet.contains), "\(credentials.clientSecret)")
        }
    }

    @Test("No generated id starts with -, which a command line would take for an option")
    func noIDStartsWithADash() {
        // Without the redraw about 1 in 64 would: 5000 ids would hold about 78 of them.
        let ids = (0..<5000).map { _ in ClientCredentials.generate().clientID }
        let dashed = ids.filter { $0.hasPrefix("-") }
        #expect(dashed.isEmpty, "\(dashed)")
    }

    @Test func generatedSecretForRotationHasTheSameShape() {
        let secret = ClientCredentials.generateSecret()
        #expect(secret.count == 43)
        #expect(secret.allSatisfy(Self.base64URLAlphabet.contains))
    }

    @Test func generatedValuesAreUnique() {
        var ids = Set<String>()
        var secrets = Set<String>()
        for _ in 0..<1000 {
            let credentials = ClientCredentials.generate()
            ids.insert(credentials.clientID)
            secrets.insert(credentials.clientSecret)
            secrets.insert(ClientCredentials.generateSecret())
        }
        #expect(ids.count == 1000)
        #expect(secrets.count == 2000)
    }

    @Test func idAndSecretDiffer() {
        let credentials = ClientCredentials.generate()
        #expect(!credentials.clientSecret.hasPrefix(credentials.clientID))
    }
}
