import Logging

/// The swift-log handler of every `intake` command: one line per entry, as text or as JSON
/// (``CLILogging/Format``), into ``LogSink``, the metadata of the handler, its provider and the
/// call merged (later ones win) and sorted by key.
///
/// ```swift
/// LoggingSystem.bootstrap { LogLineHandler(label: $0, format: .json) }
/// ```
struct LogLineHandler: LogHandler {
    let label: String
    let format: CLILogging.Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, format: CLILogging.Format) {
        self.label = label
        self.format = format
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let given = event.metadata { all.merge(given) { _, new in new } }
        let sorted = all.sorted { $0.key < $1.key }
        let line =
            switch format {
            case .text: Self.textLine(event, label: label, metadata: sorted)
            case .json: Self.jsonLine(event, label: label, metadata: sorted)
            }
        LogSink.standardError.append(line, urgent: event.level >= .warning)
    }
}
