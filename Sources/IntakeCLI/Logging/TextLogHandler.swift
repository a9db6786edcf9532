import IntakeCore
import Logging

/// A swift-log handler writing one plain line per entry into ``LogSink``:
/// `2026-12-02T10:00:00.123Z info intake: request duration_ms=0.21 method=GET route=/health status=200`,
/// metadata sorted by key, control and format characters escaped as ``TerminalText`` does (a log
/// line is one line, and a terminal showing it is never driven by it).
///
/// ```swift
/// LoggingSystem.bootstrap { TextLogHandler(label: $0) }
/// ```
struct TextLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = Timestamp.format(UnixTime.nowMilliseconds())
        line += " \(event.level) \(label): "
        line += TerminalText.escaped(event.message.description)
        for (key, value) in LogEventMetadata.merged(self, event) {
            line += " \(TerminalText.escaped(key))=\(TerminalText.escaped(value.description))"
        }
        line += "\n"
        LogSink.standardError.append(Array(line.utf8), urgent: event.level >= .warning)
    }
}
