import Foundation
import Synchronization

/// Counts a send as it goes and shows it on stderr: a redrawn bar with rate and ETA on a terminal,
/// a plain line every few seconds otherwise. Failed lines are printed with their line numbers.
final class SendProgress: Sendable {
    private struct State {
        var sent = 0
        var failed = 0
        var lastDraw = ContinuousClock.now
    }

    private let state = Mutex(State())
    private let started = ContinuousClock.now
    /// Events expected in all, when known (a file), for the ETA.
    private let expected: Int?
    private let isTerminal = isatty(STDERR_FILENO) == 1

    init(expected: Int?) {
        self.expected = expected
    }

    var sent: Int { state.withLock { $0.sent } }
    var failed: Int { state.withLock { $0.failed } }

    func record(tag: Int, failure: String?) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            if failure == nil { state.sent += 1 } else { state.failed += 1 }
            let interval: Duration = isTerminal ? .milliseconds(100) : .seconds(5)
            guard now - state.lastDraw >= interval else { return nil }
            state.lastDraw = now
            return status(sent: state.sent, failed: state.failed, now: now)
        }
        if let failure { writeError("\(isTerminal ? "\r\u{1B}[K" : "")line \(tag): \(failure)\n") }
        if let line { writeError(isTerminal ? "\r\u{1B}[K" + line : line + "\n") }
    }

    func finish() {
        let (sent, failed) = state.withLock { ($0.sent, $0.failed) }
        let line = status(sent: sent, failed: failed, now: ContinuousClock.now)
        writeError(isTerminal ? "\r\u{1B}[K" + line + "\n" : line + "\n")
    }

    private func status(sent: Int, failed: Int, now: ContinuousClock.Instant) -> String {
        let seconds = max((now - started) / .seconds(1), 0.001)
        let done = sent + failed
        let rate = Double(done) / seconds
        var text = "sent \(sent), failed \(failed), \(Int(rate))/s"
        if let expected, expected > 0 {
            let fraction = min(Double(done) / Double(expected), 1)
            let width = 24
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let remaining = rate > 0 ? Int(Double(max(expected - done, 0)) / rate) : 0
            text = "[\(bar)] \(Int(fraction * 100))% " + text + ", ETA \(remaining)s"
        }
        return text
    }

    private func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
