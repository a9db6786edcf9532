import ArgumentParser
import Foundation
import Logging
import Synchronization

/// Log lines go to stderr for every command, so that stdout carries only a command's output
/// (`clients list --json` stays parseable when the store logs a permission warning), as plain lines
/// or, with `intake serve --log-format json`, as one JSON object per line (``LogLineHandler``).
/// Call ``flush()`` before the process ends.
enum CLILogging {
    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case text, json
    }

    /// The format of the first `logger(format:)` call; swift-log allows one bootstrap per process.
    private static let chosenFormat = Mutex<Format?>(nil)

    /// swift-log allows one bootstrap per process; a `static let` runs it once, thread-safely.
    private static let bootstrapped: Void = {
        let format = chosenFormat.withLock { $0 } ?? .text
        let level = ProcessInfo.processInfo.environment["INTAKE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LogLineHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }()

    /// Writes the log lines still buffered (see ``LogSink``).
    static func flush() {
        LogSink.standardError.flush()
    }

    /// The `intake` logger, bootstrapping the logging system in `format` on first use.
    static func logger(format: Format = .text) -> Logger {
        chosenFormat.withLock { chosen in if chosen == nil { chosen = format } }
        _ = bootstrapped
        return Logger(label: "intake")
    }
}
