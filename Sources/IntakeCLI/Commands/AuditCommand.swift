import ArgumentParser
import IntakeCore

/// `intake audit`: who created, enabled, disabled, deleted or rotated what, which keys rotated,
/// which tokens were revoked, where throttling started. Never a secret or a token.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Print the audit trail, oldest first.")

    @Option(help: "Only entries this recent (e.g. 15m, 24h, 7d) or since this time (ISO 8601, e.g. 2026-12-01T00:00:00Z).")
    var since: String?
    @Option(help: "At most this many entries.") var limit = 1000
    @Flag(help: "Print one JSON object per line.") var json = false
    @OptionGroup var database: DatabaseOptions

    /// One entry as `--json` prints it.
    struct EntryDescription: Encodable {
        var id: Int64?
        var at: String
        var actor: String
        var action: String
        var subject: String
        var detail: String
    }

    func validate() throws {
        guard (1...1_000_000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000000") }
        if let since, TimeArgument.milliseconds(since, now: 0) == nil { throw ValidationError("--since \(TimeArgument.help)") }
    }

    func run() async throws {
        let from = since.flatMap { TimeArgument.milliseconds($0, now: UnixTime.nowMilliseconds()) } ?? 0
        let limit = self.limit
        let entries = try await database.withStore { try await $0.auditEntries(since: from, limit: limit) }
        for entry in entries {
            let at = Timestamp.format(entry.at)
            if json {
                try Console.printJSON(
                    EntryDescription(
                        id: entry.id, at: at, actor: entry.actor.rawValue, action: entry.action.rawValue, subject: entry.subject,
                        detail: entry.detail))
            } else {
                // Subjects and details may hold what a client sent (a client id tried while throttled).
                let detail = entry.detail.isEmpty ? "" : "  " + TerminalText.escaped(entry.detail)
                print("\(at)  \(TerminalText.escaped(entry.actor.rawValue))  \(entry.action.rawValue)  \(TerminalText.escaped(entry.subject))\(detail)")
            }
        }
        if entries.isEmpty && !json { print("No audit entries.") }
    }
}
