import CoreMetrics
import Prometheus

/// The process's metrics backend: swift-prometheus, bootstrapped once (swift-metrics allows one
/// bootstrap per process), with buckets that fit what Intake measures.
///
/// ```swift
/// let registry = PrometheusBootstrap.registry   // bootstraps on first use
/// let text = registry.emitToString()            // what GET /metrics serves
/// ```
package enum PrometheusBootstrap {
    /// The registry every metric of the process lands in; reading it bootstraps the system.
    package static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Group commits hold 1 to a few hundred submissions and take well under a millisecond
        // on SQLite to a few on PostgreSQL; the defaults start at 5 (items) and 5 ms.
        factory.valueHistogramBuckets["intake_group_commit_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        factory.durationHistogramBuckets["intake_group_commit_duration_seconds"] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        factory.durationHistogramBuckets["intake_http_request_duration_seconds"] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .milliseconds(2500),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The process figures, read at each scrape; one per process, since the CPU counter only
    /// goes up by what it has not counted yet.
    static let process = ProcessMetrics(registry: registry)
}
