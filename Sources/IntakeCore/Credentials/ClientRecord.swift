/// A registered OAuth client, as the registry stores it.
///
/// ```swift
/// let credentials = ClientCredentials.generate()
/// let client = ClientRecord(id: credentials.clientID, name: "crm", secretHash: SecretHash(of: credentials.clientSecret))
/// ```
package struct ClientRecord: Sendable, Hashable {
    package var id: String
    package var name: String
    /// Events belong to an account; every client of the account can read them.
    package var account: String
    package var scopes: ScopeSet
    package var secretHash: SecretHash
    package var isEnabled: Bool
    /// Seconds since 1970.
    package var createdAt: Int64

    package init(
        id: String,
        name: String,
        account: String = "default",
        scopes: ScopeSet = .defaultForNewClients,
        secretHash: SecretHash,
        isEnabled: Bool = true,
        createdAt: Int64 = UnixTime.now()
    ) {
        self.id = id
        self.name = name
        self.account = account
        self.scopes = scopes
        self.secretHash = secretHash
        self.isEnabled = isEnabled
        self.createdAt = createdAt
    }
}
