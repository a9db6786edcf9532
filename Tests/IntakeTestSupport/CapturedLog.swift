import Logging
import Synchronization

/// A logger whose messages a test can read back, to check what an operator would see logged.
///
/// ```swift
/// let log = CapturedLog()
/// _ = try SQLiteStore(path: path, logger: log.logger)
/// #expect(log.messages(at: .warning).count == 1)
/// ```
package final class CapturedLog: Sendable {
    private let entries = Mutex<[(level: Logger.Level, message: String)]>([])

    package init() {}

    package var logger: Logger {
        Logger(label: "captured") { _ in Handler(sink: self) }
    }

    package func messages(at level: Logger.Level) -> [String] {
        entries.withLock { $0.filter { $0.level == level }.map(\.message) }
    }

    fileprivate func append(_ level: Logger.Level, _ message: String) {
        entries.withLock { $0.append((level, message)) }
    }

    private struct Handler: LogHandler {
        let sink: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            sink.append(event.level, event.message.description)
        }
    }
}
