import CoreMetrics
import IntakeCore
import Logging
import Synchronization

/// What a full ``ConnectionBudget`` did, for operators: every refusal and eviction counted in the
/// metrics (`intake_connections_refused_total{reason}`, `intake_connections_evicted_total`), and
/// refusals logged at most once a second with their count, so that a stranger opening connections
/// in a loop cannot write the disk full through the log (it wrote 12,000 lines in 5 s before).
final class ConnectionPressure: Sendable {
    private let refusedInAll = Counter(label: "intake_connections_refused_total", dimensions: [("reason", "total")])
    private let refusedPerAddress = Counter(label: "intake_connections_refused_total", dimensions: [("reason", "per_address")])
    private let evicted = Counter(label: "intake_connections_evicted_total")
    private let report = Mutex(OccasionalReport(interval: .seconds(1)))

    func refused(_ reason: ConnectionBudget.Refusal, budget: ConnectionBudget, logger: Logger) {
        (reason == .total ? refusedInAll : refusedPerAddress).increment()
        guard let count = report.withLock({ $0.record(at: .now) }) else { return }
        logger.warning(
            "Connections refused: a connection limit is reached",
            metadata: [
                "refused": "\(count)", "reason": "\(reason.rawValue)", "limit": "\(budget.limit)",
                "limit_per_address": "\(budget.limitPerAddress)",
            ])
    }

    func evictedIdleConnection() {
        evicted.increment()
    }
}
