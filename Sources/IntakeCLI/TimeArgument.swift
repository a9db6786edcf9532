import IntakeCore

/// A point in time on the command line (`--since`, `--until`): a duration back from now (`15m`,
/// `24h`, `7d`, see ``DurationArgument``) or an ISO 8601 time (`2026-12-01T00:00:00Z`).
///
/// ```swift
/// TimeArgument.milliseconds("24h", now: UnixTime.nowMilliseconds())   // a day ago
/// ```
enum TimeArgument {
    static let help = "takes a duration back from now (15m, 24h, 7d) or an ISO 8601 time (2026-12-01T00:00:00Z)"

    /// Milliseconds since 1970, or nil when `text` is neither form.
    static func milliseconds(_ text: String, now: Int64) -> Int64? {
        if let duration = DurationArgument(argument: text) { return now.saturatingSubtracting(duration.seconds.saturatingMultiplied(by: 1000)) }
        return Timestamp.parse(text)
    }
}
