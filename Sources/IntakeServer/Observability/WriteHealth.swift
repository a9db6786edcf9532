import IntakeCore
import Logging
import Synchronization

/// Whether this instance can store events now, as its last event write found: a full disk, a
/// read-only file or a database that refuses writes fails every write while reads still answer,
/// so `/ready` asks this as well as whether the database answers. Failures are logged at most
/// once a second with their count (a flood of posts against a full disk would otherwise fill
/// what space is left with log lines).
///
/// ```swift
/// health.recordFailure(error, logger: logger)   // a write failed
/// health.recordSuccess()                        // one worked: one atomic load while healthy
/// ```
final class WriteHealth: Sendable {
    private let failing = Atomic<Bool>(false)
    private let report = Mutex(OccasionalReport(interval: .seconds(1)))

    var isFailing: Bool { failing.load(ordering: .relaxed) }

    func recordSuccess() {
        if isFailing { failing.store(false, ordering: .relaxed) }
    }

    func recordFailure(_ error: any Error, logger: Logger) {
        failing.store(true, ordering: .relaxed)
        guard let count = report.withLock({ $0.record(at: .now) }) else { return }
        logger.error(
            "Events could not be stored; /ready answers 503 until a write works again",
            metadata: ["failures": "\(count)", "error": "\(String(describing: error).prefix(200))"])
    }
}
