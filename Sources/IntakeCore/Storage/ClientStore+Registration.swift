extension ClientStore {
    /// Creates a client with fresh credentials and stores it; the secret exists only in the
    /// returned credentials, the store keeps its hash.
    ///
    /// ```swift
    /// let (client, credentials) = try await store.registerClient(name: "crm")
    /// print(credentials.clientSecret) // shown once
    /// ```
    package func registerClient(
        name: String, account: String = "default", scopes: ScopeSet = .defaultForNewClients, tokenLifetime: Int64? = nil
    ) async throws -> (ClientRecord, ClientCredentials) {
        let credentials = ClientCredentials.generate()
        let client = ClientRecord(
            id: credentials.clientID, name: name, account: account, scopes: scopes,
            secretHash: SecretHash(of: credentials.clientSecret), tokenLifetime: tokenLifetime)
        try await insertClient(client)
        return (client, credentials)
    }

    /// Gives a client a new secret, which works at once; the old one keeps working for `grace`
    /// seconds (not at all when 0). Nil when no client has this id.
    ///
    /// ```swift
    /// let rotated = try await store.rotateSecret(clientID: id, grace: 900)   // both work for 15 minutes
    /// ```
    package func rotateSecret(clientID: String, grace: Int64 = 0, now: Int64 = UnixTime.now()) async throws -> ClientCredentials? {
        let secret = ClientCredentials.generateSecret()
        let previousValidUntil = grace > 0 ? now.saturatingAdding(grace) : nil
        guard try await replaceClientSecretHash(id: clientID, with: SecretHash(of: secret), previousValidUntil: previousValidUntil)
        else { return nil }
        return ClientCredentials(clientID: clientID, clientSecret: secret)
    }
}
