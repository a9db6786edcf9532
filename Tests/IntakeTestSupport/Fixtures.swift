import IntakeCore
import IntakeModel

/// Events, submissions and clients for store tests, with defaults for everything a test does not care about.
///
/// ```swift
/// let outcome = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "signup")], key: "k1"))
/// #expect(outcome.storedIDs?.count == 1)
/// ```
package enum Fixtures {
    package static func event(
        _ type: EventType = .lead, name: String = "signup", source: String = "src-1",
        fields: [String: JSONValue] = ["email": .string("a@example.com")], eventID: String? = nil,
        personID: String? = nil, gaClientID: String? = nil, affiliateID: String? = nil, createdAt: Int64 = 1_575_280_800_000
    ) -> EventInput {
        EventInput(
            eventType: type, eventName: name, sourceID: source, fields: fields, eventID: eventID, personID: personID,
            gaClientID: gaClientID, affiliateID: affiliateID, createdAt: createdAt)
    }

    package static func submission(
        account: String = "default", clientID: String = "client-1", events: [EventInput],
        key: String? = nil, fingerprint: [UInt8] = [1, 2, 3]
    ) -> EventSubmission {
        EventSubmission(
            account: account, clientID: clientID, events: events,
            idempotencyKey: key.map { IdempotencyKey(key: $0, fingerprint: fingerprint) })
    }

    package static func client(
        name: String = "crm", account: String = "default", scopes: ScopeSet = .defaultForNewClients,
        enabled: Bool = true, createdAt: Int64 = 1_700_000_000
    ) -> (ClientRecord, ClientCredentials) {
        let credentials = ClientCredentials.generate()
        let record = ClientRecord(
            id: credentials.clientID, name: name, account: account, scopes: scopes,
            secretHash: SecretHash(of: credentials.clientSecret), isEnabled: enabled, createdAt: createdAt)
        return (record, credentials)
    }
}

extension EventStore {
    /// The events of one page, for tests that do not look at `hasMore`.
    package func events(_ query: EventPageQuery) async throws -> [EventRecord] {
        try await eventPage(query).records
    }
}
