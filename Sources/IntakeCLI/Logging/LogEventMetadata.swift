import Logging

/// The metadata of one log entry as both handlers write it: the handler's, then the provider's,
/// then the call's (later ones win), sorted by key.
enum LogEventMetadata {
    static func merged(_ handler: some LogHandler, _ event: LogEvent) -> [(key: String, value: Logger.Metadata.Value)] {
        var all = handler.metadata
        if let provided = handler.metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let given = event.metadata { all.merge(given) { _, new in new } }
        return all.sorted { $0.key < $1.key }
    }
}
