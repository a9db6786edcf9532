import Foundation
import Logging

/// Log lines go to stderr for every command, so that stdout carries only a command's output
/// (`clients list --json` stays parseable when the store logs a permission warning).
enum CLILogging {
    /// swift-log allows one bootstrap per process; a `static let` runs it once, thread-safely.
    private static let bootstrapped: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel =
                ProcessInfo.processInfo.environment["INTAKE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
            return handler
        }
    }()

    /// The `intake` logger, bootstrapping the logging system on first use.
    static func logger() -> Logger {
        _ = bootstrapped
        return Logger(label: "intake")
    }
}
