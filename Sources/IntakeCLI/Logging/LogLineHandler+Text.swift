import IntakeCore
import Logging

/// The text format: `2026-12-02T10:00:00.123Z info intake: request duration_ms=0.21 method=GET route=/health status=200`,
/// metadata sorted by key, control and format characters escaped as ``TerminalText`` does (a log
/// line is one line, and a terminal showing it is never driven by it).
extension LogLineHandler {
    static func textLine(_ event: LogEvent, label: String, metadata: [(key: String, value: Logger.Metadata.Value)]) -> [UInt8] {
        var line = Timestamp.format(UnixTime.nowMilliseconds())
        line += " \(event.level) \(label): "
        line += TerminalText.escaped(event.message.description)
        for (key, value) in metadata {
            line += " \(TerminalText.escaped(key))=\(TerminalText.escaped(value.description))"
        }
        line += "\n"
        return Array(line.utf8)
    }
}
