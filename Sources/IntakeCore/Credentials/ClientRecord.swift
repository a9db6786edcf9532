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
    /// The secret replaced by a rotation with a grace period, and until when it still works.
    package var previousSecret: PreviousSecret?
    package var isEnabled: Bool
    /// Seconds since 1970.
    package var createdAt: Int64
    /// The lifetime of this client's tokens in seconds, when shorter than the server's.
    package var tokenLifetime: Int64?

    package init(
        id: String,
        name: String,
        account: String = "default",
        scopes: ScopeSet = .defaultForNewClients,
        secretHash: SecretHash,
        previousSecret: PreviousSecret? = nil,
        isEnabled: Bool = true,
        createdAt: Int64 = UnixTime.now(),
        tokenLifetime: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.account = account
        self.scopes = scopes
        self.secretHash = secretHash
        self.previousSecret = previousSecret
        self.isEnabled = isEnabled
        self.createdAt = createdAt
        self.tokenLifetime = tokenLifetime
    }

    /// Whether `presented` is the client's secret, or its previous one while the grace lasts.
    ///
    /// The presented secret is hashed once and compared in constant time with both the current
    /// hash and the previous one (a decoy when there is none), so the time taken tells nothing
    /// about which matched or whether a grace period runs.
    package func accepts(_ presented: [UInt8], now: Int64) -> Bool {
        let digest = SecretHash.Presented(presented)
        let current = digest.matches(secretHash)
        let previous = digest.matches(previousSecret?.hash ?? .decoy)
        return current || (previous && (previousSecret?.validUntil ?? .min) > now)
    }

    /// The lifetime of a token issued now: the client's own, at most the server's.
    package func tokenLifetime(serverLifetime: Int64) -> Int64 {
        min(tokenLifetime ?? serverLifetime, serverLifetime)
    }
}
