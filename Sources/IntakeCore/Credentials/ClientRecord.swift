/// A registered OAuth client, as the registry stores it.
///
/// ```swift
/// let credentials = ClientCredentials.generate()
/// let client = ClientRecord(id: credentials.clientID, name: "crm", secretHash: SecretHash(of: credentials.clientSecret))
/// ```
public struct ClientRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Events belong to an account; every client of the account can read them.
    public var account: String
    public var scopes: ScopeSet
    public var secretHash: SecretHash
    public var isEnabled: Bool
    /// Seconds since 1970.
    public var createdAt: Int64

    public init(
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
