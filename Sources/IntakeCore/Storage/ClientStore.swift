/// Durable storage of the client registry. One implementation per database.
///
/// ```swift
/// let credentials = ClientCredentials.generate()
/// try await store.insertClient(ClientRecord(id: credentials.clientID, name: "crm", secretHash: SecretHash(of: credentials.clientSecret)))
/// ```
package protocol ClientStore: Sendable {
    func insertClient(_ client: ClientRecord) async throws
    func clients() async throws -> [ClientRecord]
    func client(id: String) async throws -> ClientRecord?
    /// Returns false when no client has this id.
    func setClientEnabled(id: String, _ enabled: Bool) async throws -> Bool
    /// Replaces the client's secret hash; with `previousValidUntil`, the replaced hash keeps
    /// authenticating until then (in the same statement, so no secret is lost to a race). Returns
    /// false when no client has this id.
    func replaceClientSecretHash(id: String, with hash: SecretHash, previousValidUntil: Int64?) async throws -> Bool
    /// Returns false when no client has this id.
    func deleteClient(id: String) async throws -> Bool
    /// A number that changes whenever any client is inserted, changed or deleted, by any process;
    /// cheap enough to poll every second.
    func clientsVersion() async throws -> Int64
}
