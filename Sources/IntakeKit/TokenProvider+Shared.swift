import AsyncHTTPClient
import Synchronization

extension TokenProvider {
    /// Providers by token URL, client id and scope, so that every client of one process with the
    /// same credentials shares one cached token.
    private static let registry = Mutex<[Key: TokenProvider]>([:])

    private struct Key: Hashable {
        var tokenURL: String
        var clientID: String
        var scope: String?
    }

    /// The process-wide provider for these credentials and scope, created on first use. A provider
    /// made for another secret of the same client id is replaced.
    ///
    /// ```swift
    /// let tokens = TokenProvider.shared(environment: .production, credentials: credentials)
    /// ```
    public static func shared(
        environment: IntakeEnvironment,
        credentials: IntakeCredentials,
        scope: String? = nil,
        httpClient: HTTPClient = .shared,
        configuration: Configuration = Configuration()
    ) -> TokenProvider {
        let key = Key(tokenURL: environment.tokenURL, clientID: credentials.clientID, scope: scope)
        return registry.withLock { registry in
            if let existing = registry[key], existing.credentials == credentials, existing.environment == environment,
                existing.httpClient === httpClient, existing.configuration == configuration
            {
                return existing
            }
            let provider = TokenProvider(
                environment: environment, credentials: credentials, scope: scope, httpClient: httpClient,
                configuration: configuration)
            registry[key] = provider
            return provider
        }
    }
}
