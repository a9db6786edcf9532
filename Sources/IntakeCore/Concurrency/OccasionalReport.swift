/// When to report something that can happen thousands of times a second (a refused connection, a
/// failed write): at most once per ``interval``, with how many happened since the last report, so
/// that a flood costs one log line a second instead of one per occurrence. What happens after the
/// last report shows in the next one (and, exactly, in the metrics that count each occurrence).
///
/// ```swift
/// var report = OccasionalReport(interval: .seconds(1))
/// if let count = report.record(at: .now) { logger.warning("Connections refused", metadata: ["count": "\(count)"]) }
/// ```
package struct OccasionalReport: Sendable {
    package let interval: Duration
    private var lastReport: ContinuousClock.Instant?
    private var unreported = 0

    package init(interval: Duration = .seconds(1)) {
        self.interval = interval
    }

    /// Counts one occurrence at `now`; returns the count to report when a report is due, else nil.
    package mutating func record(at now: ContinuousClock.Instant) -> Int? {
        unreported += 1
        if let lastReport, now - lastReport < interval { return nil }
        lastReport = now
        defer { unreported = 0 }
        return unreported
    }
}
