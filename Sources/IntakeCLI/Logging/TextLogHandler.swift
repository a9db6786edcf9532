import IntakeCore
import Logging

/// A swift-log handler writing one plain line per entry into ``LogSink``:
/// `2026-12-02T10:00:00.123Z info intake: request duration_ms=0.21 method=GET route=/health status=200`,
/// metadata sorted by key, control characters in it escaped (a log line is one line).
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
        line += Self.escaped(event.message.description)
        for (key, value) in LogEventMetadata.merged(self, event) {
            line += " \(key)=\(Self.escaped(value.description))"
        }
        line += "\n"
        LogSink.standardError.append(Array(line.utf8), urgent: event.level >= .warning)
    }

    private static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
