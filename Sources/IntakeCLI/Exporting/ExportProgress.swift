import Foundation
import IntakeCore

/// The progress of `intake events export` on stderr: a redrawn line on a terminal, nothing
/// otherwise but the closing summary (stdout carries the events).
struct ExportProgress {
    private let isTerminal = isatty(STDERR_FILENO) == 1

    func show(exported: Int, lastID: Int64) {
        guard isTerminal else { return }
        try? StandardOutput.write(Array("\r\u{1B}[Kexported \(exported) events (last id \(lastID))".utf8), to: STDERR_FILENO)
    }

    /// Clears the progress line; for a summary the command prints itself.
    func clear() {
        if isTerminal { try? StandardOutput.write(Array("\r\u{1B}[K".utf8), to: STDERR_FILENO) }
    }

    func finish(exported: Int, resumeAfter: EventCursor?) {
        var line = isTerminal ? "\r\u{1B}[K" : ""
        line += "Exported \(exported) event\(exported == 1 ? "" : "s")"
        if let resumeAfter { line += "; to go on later, add --after \(resumeAfter)" }
        try? StandardOutput.write(Array((line + "\n").utf8), to: STDERR_FILENO)
    }
}
