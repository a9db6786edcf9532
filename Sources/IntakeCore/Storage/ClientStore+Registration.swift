extension ClientStore {
    /// Creates a client with fresh credentials and stores it; the secret exists only in the
    /// returned credentials, the store keeps its hash.
    ///
    /// ```swift
    /// let (client, credentials) = try await store.registerClient(name: "crm")
    /// print(credentials.clientSecret) // shown once
    /// ```
    package func registerClient(
        name: String, account: String = "default", scopes: ScopeSet = .defaultForNewClients
    ) async throws -> (ClientRecord, ClientCredentials) {
        let credentials = ClientCredentials.generate()
        let client = ClientRecord(
            id: credentials.clientID, name: name, account: account, scopes: scopes,
            secretHash: SecretHash(of: credentials.clientSecret))
        try await insertClient(client)
        return (client, credentials)
    }

    /// Gives a client a new secret; the old one stops working. Nil when no client has this id.
    package func rotateSecret(clientID: String) async throws -> ClientCredentials? {
        let secret = ClientCredentials.generateSecret()
        guard try await setClientSecretHash(id: clientID, SecretHash(of: secret)) else { return nil }
        return ClientCredentials(clientID: clientID, clientSecret: secret)
    }
}
