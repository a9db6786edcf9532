import IntakeCore
import Testing

@Suite("ClientDirectory")
struct ClientDirectoryTests {
    static func client(enabled: Bool = true, scopes: ScopeSet = .defaultForNewClients) -> (ClientRecord, ClientCredentials) {
        let credentials = ClientCredentials.generate()
        let record = ClientRecord(
            id: credentials.clientID, name: "crm", scopes: scopes, secretHash: SecretHash(of: credentials.clientSecret),
            isEnabled: enabled)
        return (record, credentials)
    }

    @Test func authenticatesTheRightSecret() throws {
        let (record, credentials) = Self.client()
        let directory = ClientDirectory()
        directory.replace(with: [record, Self.client().0], version: 1)
        let found = try #require(directory.authenticate(clientID: credentials.clientID, secret: Array(credentials.clientSecret.utf8)))
        #expect(found == record)
    }

    /// The previous secret of a rotation works until the instant its grace ends, not after.
    @Test func thePreviousSecretWorksUntilItsGraceEnds() {
        var (record, old) = Self.client()
        let new = ClientCredentials.generateSecret()
        record.previousSecret = PreviousSecret(hash: record.secretHash, validUntil: 1_800_000_000)
        record.secretHash = SecretHash(of: new)
        let directory = ClientDirectory()
        directory.replace(with: [record], version: 1)
        #expect(directory.authenticate(clientID: old.clientID, secret: Array(old.clientSecret.utf8), now: 1_799_999_999) != nil)
        #expect(directory.authenticate(clientID: old.clientID, secret: Array(old.clientSecret.utf8), now: 1_800_000_000) == nil)
        #expect(directory.authenticate(clientID: old.clientID, secret: Array(new.utf8), now: 1_800_000_000) != nil)
        #expect(directory.authenticate(clientID: old.clientID, secret: Array(new.utf8), now: 1_700_000_000) != nil)
    }

    @Test func refusesAWrongSecret() {
        let (record, credentials) = Self.client()
        let directory = ClientDirectory()
        directory.replace(with: [record], version: 1)
        #expect(directory.authenticate(clientID: credentials.clientID, secret: Array(ClientCredentials.generateSecret().utf8)) == nil)
        #expect(directory.authenticate(clientID: credentials.clientID, secret: Array(credentials.clientSecret.dropLast().utf8)) == nil)
        #expect(directory.authenticate(clientID: credentials.clientID, secret: [UInt8]()) == nil)
    }

    @Test func refusesASecretOfAnotherClient() {
        let (a, _) = Self.client()
        let (b, bCredentials) = Self.client()
        let directory = ClientDirectory()
        directory.replace(with: [a, b], version: 1)
        #expect(directory.authenticate(clientID: a.id, secret: Array(bCredentials.clientSecret.utf8)) == nil)
    }

    @Test func refusesAnUnknownID() {
        let (record, credentials) = Self.client()
        let directory = ClientDirectory()
        directory.replace(with: [record], version: 1)
        #expect(directory.authenticate(clientID: "unknown", secret: Array(credentials.clientSecret.utf8)) == nil)
        #expect(directory.authenticate(clientID: "", secret: Array(credentials.clientSecret.utf8)) == nil)
        // The decoy must not open a door either.
        #expect(directory.authenticate(clientID: "unknown", secret: Array("intake-decoy".utf8)) == nil)
    }

    @Test func refusesADisabledClientEvenWithTheRightSecret() {
        let (record, credentials) = Self.client(enabled: false)
        let directory = ClientDirectory()
        directory.replace(with: [record], version: 1)
        #expect(directory.authenticate(clientID: credentials.clientID, secret: Array(credentials.clientSecret.utf8)) == nil)
        #expect(directory.activeClient(id: record.id) == nil)
    }

    @Test func activeClientIsEnabledAndKnown() {
        let (enabled, _) = Self.client()
        let (disabled, _) = Self.client(enabled: false)
        let directory = ClientDirectory()
        directory.replace(with: [enabled, disabled], version: 1)
        #expect(directory.activeClient(id: enabled.id) == enabled)
        #expect(directory.activeClient(id: disabled.id) == nil)
        #expect(directory.activeClient(id: "nobody") == nil)
    }

    @Test func startsEmptyAtVersionMinusOne() {
        let directory = ClientDirectory()
        #expect(directory.isEmpty)
        #expect(directory.version == -1)
        #expect(directory.activeClient(id: "x") == nil)
    }

    @Test func replaceSwapsTheWholeRegistryAndRecordsTheVersion() {
        let (a, aCredentials) = Self.client()
        let (b, bCredentials) = Self.client()
        let directory = ClientDirectory()
        directory.replace(with: [a], version: 3)
        #expect(directory.version == 3)
        #expect(!directory.isEmpty)
        directory.replace(with: [b], version: 4)
        #expect(directory.version == 4)
        #expect(directory.activeClient(id: a.id) == nil)
        #expect(directory.authenticate(clientID: a.id, secret: Array(aCredentials.clientSecret.utf8)) == nil)
        #expect(directory.authenticate(clientID: b.id, secret: Array(bCredentials.clientSecret.utf8)) == b)
        directory.replace(with: [], version: 5)
        #expect(directory.isEmpty)
        #expect(directory.version == 5)
    }

    @Test func aDisabledThenReenabledClientFollowsTheLatestReplace() {
        var (record, credentials) = Self.client()
        let directory = ClientDirectory()
        directory.replace(with: [record], version: 1)
        record.isEnabled = false
        directory.replace(with: [record], version: 2)
        #expect(directory.authenticate(clientID: record.id, secret: Array(credentials.clientSecret.utf8)) == nil)
        record.isEnabled = true
        directory.replace(with: [record], version: 3)
        #expect(directory.authenticate(clientID: record.id, secret: Array(credentials.clientSecret.utf8)) == record)
    }

    @Test func rotatedSecretReplacesTheOldOne() {
        var (record, credentials) = Self.client()
        let directory = ClientDirectory()
        directory.replace(with: [record], version: 1)
        let newSecret = ClientCredentials.generateSecret()
        record.secretHash = SecretHash(of: newSecret)
        directory.replace(with: [record], version: 2)
        #expect(directory.authenticate(clientID: record.id, secret: Array(credentials.clientSecret.utf8)) == nil)
        #expect(directory.authenticate(clientID: record.id, secret: Array(newSecret.utf8)) == record)
    }

    @Test func duplicateIDsKeepTheLastRecord() {
        let (first, credentials) = Self.client()
        var second = first
        second.name = "renamed"
        let directory = ClientDirectory()
        directory.replace(with: [first, second], version: 1)
        #expect(directory.activeClient(id: first.id)?.name == "renamed")
        #expect(directory.authenticate(clientID: first.id, secret: Array(credentials.clientSecret.utf8))?.name == "renamed")
    }
}
