import ArgumentParser
import Foundation
import IntakeCore
import IntakeServer

/// `intake events`: the stored events, read from the database directly.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Work with the stored events.", subcommands: [Export.self])

    /// `intake events export`: every matching event of every account as NDJSON on stdout, in id
    /// order, a page at a time (memory stays flat whatever the size), with a progress line on a
    /// terminal. An interrupted export resumes with `--after` the last id it printed.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print stored events as NDJSON (one JSON object per line), oldest first.",
            discussion: """
                Each line is the event as GET /v2/events shows it, plus its account and client_id. \
                --since and --until select on the event's created_at, as the API does. Stop at any \
                time and go on with --after <the last id printed>.
                """)

        static let pageSize = 1000

        @Option(help: "Only events created at or after this time: \(TimeArgument.help).") var since: String?
        @Option(help: "Only events created before this time: \(TimeArgument.help).") var until: String?
        @Option(name: .customLong("source-id"), help: "Only events of this source_id.") var sourceID: String?
        @Option(help: "Only events of this account.") var account: String?
        @Option(help: "Resume after this position: what an interrupted export printed (on PostgreSQL a bare event id resumes from that event's transaction).")
        var after: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let since, TimeArgument.milliseconds(since, now: 0) == nil { throw ValidationError("--since \(TimeArgument.help)") }
            if let until, TimeArgument.milliseconds(until, now: 0) == nil { throw ValidationError("--until \(TimeArgument.help)") }
            if let after, EventCursor(after) == nil {
                throw ValidationError("--after takes the position an export printed (e.g. 4711 or 7412.4711) or an event id")
            }
        }

        func run() async throws {
            let now = UnixTime.nowMilliseconds()
            let query = EventPageQuery(
                account: account, after: after.flatMap(EventCursor.init), limit: Self.pageSize, sourceID: sourceID,
                since: since.flatMap { TimeArgument.milliseconds($0, now: now) },
                until: until.flatMap { TimeArgument.milliseconds($0, now: now) })
            let progress = ExportProgress()
            StandardOutput.ignoreBrokenPipes()
            let (exported, resumeAfter) = try await database.withStore { store in
                var query = query
                var exported = 0
                while true {
                    let page = try await store.eventPage(query)
                    guard let last = page.records.last else { break }
                    var out: [UInt8] = []
                    for record in page.records {
                        record.appendJSON(to: &out, includingOwner: true)
                        out.append(UInt8(ascii: "\n"))
                    }
                    do {
                        try StandardOutput.write(out)
                    } catch is StandardOutput.Closed {
                        progress.clear()
                        let resume = query.after.map { "; to go on, add --after \($0)" } ?? ""
                        throw CLIError("stdout was closed after \(exported) events\(resume)")
                    }
                    exported += page.records.count
                    query.after = last.cursor
                    progress.show(exported: exported, lastID: last.receipt.id)
                    if !page.hasMore { break }
                }
                return (exported, query.after)
            }
            progress.finish(exported: exported, resumeAfter: resumeAfter)
        }
    }
}
