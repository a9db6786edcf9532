import CoreMetrics

/// The server's own metrics, beside the per-route ones (``RouteMetrics``) and the group commits'
/// (``GroupCommitQueue``). They go to whatever swift-metrics backend the process
/// bootstrapped (``PrometheusBootstrap`` in `intake serve`); without one they cost nothing.
///
/// Every label value comes from a fixed set: no client id, path or other caller-chosen text
/// becomes a label, so a stranger cannot grow the number of series.
///
/// ```swift
/// let metrics = ServerMetrics()
/// metrics.tokenRequests(.issued).increment()
/// ```
struct ServerMetrics: Sendable {
    /// How a `POST /oauth2/token` ended.
    enum TokenOutcome: String, Sendable {
        case issued
        case invalidCredentials = "invalid_credentials"
        case invalidRequest = "invalid_request"
        case throttled
        /// Anything else (the server's fault, or the request was cancelled).
        case failed
    }

    private let tokensIssued = Self.tokenCounter(.issued)
    private let tokensRefusedForCredentials = Self.tokenCounter(.invalidCredentials)
    private let tokensRefusedForRequest = Self.tokenCounter(.invalidRequest)
    private let tokensThrottled = Self.tokenCounter(.throttled)
    private let tokensFailed = Self.tokenCounter(.failed)
    /// Events committed (a replay stores none).
    let eventsStored = Counter(label: "intake_events_stored_total")
    /// Event posts answered from an idempotency key's first answer.
    let idempotentReplays = Counter(label: "intake_idempotent_replays_total")
    /// Times this instance began signing with another key (a rotation by anyone, or a schedule).
    let keyRotations = Counter(label: "intake_key_rotations_total")
    /// Clients in the registry this instance holds (enabled or not).
    let registeredClients = Gauge(label: "intake_registered_clients")
    /// 1, labelled with this build's version (the Prometheus convention for build information).
    let buildInfo = Gauge(label: "intake_build_info", dimensions: [("version", IntakeVersion.current)])

    func tokenRequests(_ outcome: TokenOutcome) -> Counter {
        switch outcome {
        case .issued: tokensIssued
        case .invalidCredentials: tokensRefusedForCredentials
        case .invalidRequest: tokensRefusedForRequest
        case .throttled: tokensThrottled
        case .failed: tokensFailed
        }
    }

    private static func tokenCounter(_ outcome: TokenOutcome) -> Counter {
        Counter(label: "intake_token_requests_total", dimensions: [("outcome", outcome.rawValue)])
    }
}
