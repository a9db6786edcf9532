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
    /// One log entry: its level, message and metadata (the logger's and the call's, rendered).
    package struct Entry: Sendable {
        package var level: Logger.Level
        package var message: String
        package var metadata: [String: String]

        /// The message and every metadata key and value, for checks that something never appears.
        package var fullText: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let entries = Mutex<[Entry]>([])

    package init() {}

    package var logger: Logger {
        Logger(label: "captured") { _ in Handler(sink: self) }
    }

    package func messages(at level: Logger.Level) -> [String] {
        entries.withLock { $0.filter { $0.level == level }.map(\.message) }
    }

    /// Every entry so far, oldest first.
    package var all: [Entry] { entries.withLock { $0 } }

    fileprivate func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
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
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            sink.append(
                Entry(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
