import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Obtains, caches and renews access tokens (OAuth 2.0 Client Credentials Grant).
///
/// - The cached token is used until it nears expiry; the expiry is counted from when the token
///   request was *sent*, so a slow response or a skewed clock cannot make it late.
/// - Past half its lifetime a new token is fetched in the background while callers keep using the
///   valid one; a caller waits only inside the safety margin before expiry (10% of the lifetime, at
///   least 30 s, at most half the lifetime).
/// - Any number of concurrent callers cause one token request, and a caller's cancellation never
///   cancels the shared request.
/// - A refused secret is a typed error at once (``IntakeError/Code/invalidCredentials``);
///   `429`/`503` honour `Retry-After`; other failures back off with full jitter.
///
/// ```swift
/// let tokens = TokenProvider(environment: .staging, credentials: credentials)
/// let bearer = try await tokens.token()
/// ```
public final class TokenProvider: Sendable {
    /// Timeouts and retries of token requests.
    public struct Configuration: Sendable, Hashable {
        public var requestTimeout: Duration
        public var retry: RetryPolicy

        public init(requestTimeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy()) {
            self.requestTimeout = requestTimeout
            self.retry = retry
        }
    }

    struct CachedToken: Sendable {
        let value: String
        let obtainedAt: ContinuousClock.Instant
        let lifetime: Duration
        /// Past this, refresh in the background.
        let refreshAt: ContinuousClock.Instant
        /// Past this, callers wait for a new token.
        let mustRefreshAt: ContinuousClock.Instant

        var expiresAt: ContinuousClock.Instant { obtainedAt + lifetime }

        /// The deadlines are computed once here: `Duration` division is generic `Int128` arithmetic,
        /// which alone cost about 1 µs per ``TokenProvider/token()`` call when done on every call.
        init(value: String, obtainedAt: ContinuousClock.Instant, lifetime: Duration) {
            self.value = value
            self.obtainedAt = obtainedAt
            self.lifetime = lifetime
            let margin = min(max(lifetime / 10, .seconds(30)), lifetime / 2)
            self.refreshAt = obtainedAt + lifetime / 2
            self.mustRefreshAt = obtainedAt + lifetime - margin
        }
    }

    private struct State {
        var token: CachedToken?
        var refresh: Task<CachedToken, any Error>?
        var fetched = 0
    }

    public let environment: IntakeEnvironment
    public let credentials: IntakeCredentials
    /// Space-separated scopes to ask for; nil asks for all of the client's.
    public let scope: String?
    let httpClient: HTTPClient
    let configuration: Configuration
    /// What time it is; a test moves it by hand instead of waiting half a token's lifetime.
    let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    public convenience init(
        environment: IntakeEnvironment,
        credentials: IntakeCredentials,
        scope: String? = nil,
        httpClient: HTTPClient = .shared,
        configuration: Configuration = Configuration()
    ) {
        self.init(
            environment: environment, credentials: credentials, scope: scope, httpClient: httpClient, configuration: configuration,
            now: { ContinuousClock.now })
    }

    init(
        environment: IntakeEnvironment, credentials: IntakeCredentials, scope: String?, httpClient: HTTPClient,
        configuration: Configuration, now: @escaping @Sendable () -> ContinuousClock.Instant
    ) {
        self.environment = environment
        self.credentials = credentials
        self.scope = scope
        self.httpClient = httpClient
        self.configuration = configuration
        self.now = now
    }

    /// How many token requests succeeded so far.
    public var tokensFetched: Int { state.withLock { $0.fetched } }

    /// A valid access token: the cached one when it is fresh enough, otherwise a new one.
    public func token() async throws -> String {
        let now = self.now()
        let (cached, refresh): (String?, Task<CachedToken, any Error>?) = state.withLock { state in
            if let token = state.token, now < token.mustRefreshAt {
                if now >= token.refreshAt, state.refresh == nil {
                    state.refresh = startRefresh()
                }
                return (token.value, nil)
            }
            if state.refresh == nil {
                state.refresh = startRefresh()
            }
            return (nil, state.refresh)
        }
        if let cached { return cached }
        // Awaiting an unstructured task: cancelling this caller does not cancel the shared request.
        return try await refresh!.value.value
    }

    /// Drops `token` if it is still the cached one, after the API called it invalid (e.g. the server's
    /// key changed). A token that was already replaced is left alone, so concurrent failures cause
    /// one refresh.
    public func invalidate(_ token: String) {
        state.withLock { state in
            if state.token?.value == token { state.token = nil }
        }
    }

    /// Must be called with the state locked.
    private func startRefresh() -> Task<CachedToken, any Error> {
        Task {
            do {
                let token = try await fetchToken()
                state.withLock { state in
                    state.token = token
                    state.refresh = nil
                    state.fetched += 1
                }
                return token
            } catch {
                state.withLock { $0.refresh = nil }
                throw error
            }
        }
    }
}
