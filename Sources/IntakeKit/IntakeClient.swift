import AsyncHTTPClient
import Foundation
import IntakeModel
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends events to the API and reads them back, with tokens handled for you.
///
/// Every send carries an `Idempotency-Key`, so retries after a timeout, a `5xx` or a dropped
/// connection never store an event twice. A `401 invalid_token` (say, the server's key changed)
/// drops the token, fetches a new one and replays the request once.
///
/// ```swift
/// let client = IntakeClient(environment: .staging, credentials: IntakeCredentials(clientID: id, clientSecret: secret))
/// let receipt = try await client.send(Event(type: .lead, name: "signup", sourceID: "landing-page", fields: ["email": "ada@example.com"]))
/// ```
public final class IntakeClient: Sendable {
    /// Timeouts and retries of API calls (token requests have their own, in ``TokenProvider``).
    public struct Configuration: Sendable, Hashable {
        public var requestTimeout: Duration
        public var retry: RetryPolicy

        public init(requestTimeout: Duration = .seconds(30), retry: RetryPolicy = RetryPolicy()) {
            self.requestTimeout = requestTimeout
            self.retry = retry
        }
    }

    public let environment: IntakeEnvironment
    public let tokens: TokenProvider
    let httpClient: HTTPClient
    let configuration: Configuration
    private let retryCount = Atomic<Int>(0)

    func noteRetry() {
        retryCount.add(1, ordering: .relaxed)
    }

    public convenience init(
        environment: IntakeEnvironment,
        credentials: IntakeCredentials,
        scope: String? = nil,
        httpClient: HTTPClient = .shared,
        configuration: Configuration = Configuration(),
        tokenConfiguration: TokenProvider.Configuration = TokenProvider.Configuration()
    ) {
        self.init(
            tokens: TokenProvider.shared(
                environment: environment, credentials: credentials, scope: scope, httpClient: httpClient,
                configuration: tokenConfiguration),
            httpClient: httpClient, configuration: configuration)
    }

    /// A client on an existing token provider.
    public init(tokens: TokenProvider, httpClient: HTTPClient = .shared, configuration: Configuration = Configuration()) {
        self.environment = tokens.environment
        self.tokens = tokens
        self.httpClient = httpClient
        self.configuration = configuration
    }

    /// Requests sent again after a failure (network error, `429`, `5xx`, stale token).
    public var retries: Int { retryCount.load(ordering: .relaxed) }

    /// Stores one event (`POST /v2/event`, or `/v2/affiliate_event` when it has an `affiliateID`).
    public func send(_ event: Event, idempotencyKey: String = IntakeClient.makeIdempotencyKey()) async throws -> EventReceipt {
        try await send(json: event.json, idempotencyKey: idempotencyKey)
    }

    /// Stores one event given as a JSON object, as read from a file; the server validates it.
    public func send(json event: JSONValue, idempotencyKey: String = IntakeClient.makeIdempotencyKey()) async throws -> EventReceipt {
        var isAffiliate = false
        if case .object(let members) = event, let affiliate = members["affiliate_id"], affiliate != .null { isAffiliate = true }
        let answer = try await perform(
            .POST, path: isAffiliate ? "/v2/affiliate_event" : "/v2/event", body: event, idempotencyKey: idempotencyKey)
        guard let receipt = EventReceipt(answer: answer.readableBytesView) else {
            throw IntakeError.unexpectedResponse(status: 201, reason: "the answer is not an EventReceipt")
        }
        return receipt
    }

    /// Stores up to 500 events in one request (`POST /v2/events`); each is validated on its own.
    public func send(batch events: [Event], idempotencyKey: String = IntakeClient.makeIdempotencyKey()) async throws -> BatchReceipt {
        try await send(jsonBatch: events.map(\.json), idempotencyKey: idempotencyKey)
    }

    /// Stores up to 500 events given as JSON values in one request; each is validated on its own.
    public func send(jsonBatch events: [JSONValue], idempotencyKey: String = IntakeClient.makeIdempotencyKey()) async throws -> BatchReceipt {
        let answer = try await perform(
            .POST, path: "/v2/events", body: .object(["events": .array(events)]), idempotencyKey: idempotencyKey)
        guard let receipt = BatchReceipt(answer: answer.readableBytesView) else {
            throw IntakeError.unexpectedResponse(status: 200, reason: "the answer is not a BatchReceipt")
        }
        return receipt
    }

    /// One page of the account's events, oldest first (scope `events:read`).
    public func events(_ query: EventQuery = EventQuery()) async throws -> EventPage {
        var components = URLComponents()
        components.queryItems = [
            query.after.map { URLQueryItem(name: "after", value: $0) },
            query.limit.map { URLQueryItem(name: "limit", value: String($0)) },
            query.sourceID.map { URLQueryItem(name: "source_id", value: $0) },
            query.eventType.map { URLQueryItem(name: "event_type", value: $0.rawValue) },
            query.since.map { URLQueryItem(name: "since", value: $0) },
            query.until.map { URLQueryItem(name: "until", value: $0) },
        ].compactMap { $0 }
        let queryString = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        let body = try await perform(.GET, path: "/v2/events" + queryString, body: nil, idempotencyKey: nil)
        return try decode(EventPage.self, from: body)
    }

    private func decode<Answer: Decodable>(_ type: Answer.Type, from body: ByteBuffer) throws -> Answer {
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView))
        } catch {
            throw IntakeError.unexpectedResponse(status: 200, reason: "the answer is not a \(Answer.self)")
        }
    }
}
