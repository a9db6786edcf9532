import ArgumentParser
import IntakeCore

/// A span of time on the command line: a whole number with a unit, `90s`, `15m`, `24h` or `7d`
/// (a bare number is seconds).
struct DurationArgument: ExpressibleByArgument, Sendable, Equatable {
    /// The span in seconds.
    var seconds: Int64

    init(seconds: Int64) {
        self.seconds = seconds
    }

    init?(argument: String) {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var text = Substring(argument)
        var unit: Int64 = 1
        if let last = text.last, let multiplier = units[last] {
            unit = multiplier
            text = text.dropLast()
        }
        guard !text.isEmpty, text.allSatisfy(\.isASCII), let count = Int64(text), count >= 0 else { return nil }
        seconds = count.saturatingMultiplied(by: unit)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
