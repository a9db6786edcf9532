import ArgumentParser
import Foundation
import IntakeKit
import IntakeModel

/// `intake send --file PATH|-`: sends JSON or NDJSON events, in batches, with bounded concurrency.
/// Bad lines are reported with their line numbers and skipped; the exit status is 0 only when every
/// event was stored. If the server goes away mid-send it waits (about a minute) and resumes; the
/// idempotency keys make the retries safe.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send events from a JSON or NDJSON file.")

    @OptionGroup var client: ClientOptions
    @Option(help: "A file of events (NDJSON, or one JSON array), or - for stdin.") var file: String
    @Option(help: "Requests in flight at once.") var concurrency = 4
    @Option(name: .customLong("batch-size"), help: "Events per request (1 to 500).") var batchSize = 100
    @Flag(help: "End with one JSON summary line on stdout.") var json = false

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 256") }
        guard (1...500).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 500") }
    }

    func run() async throws {
        // The file first: a wrong --file is reported before anything else happens.
        let reader = try EventFileReader(path: file)
        // Retries span a server restart: about a minute of patience before giving up on a batch.
        let patient = RetryPolicy(maximumAttempts: 1000, initialDelay: .milliseconds(100), maximumDelay: .seconds(2),
                                  maximumTotalTime: .seconds(60))
        let sender = IntakeClient(
            environment: try client.resolvedEnvironment(), credentials: try client.credentials(), scope: client.scope,
            configuration: .init(requestTimeout: .seconds(30), retry: patient),
            tokenConfiguration: .init(requestTimeout: .seconds(10), retry: patient))
        let progress = SendProgress(expected: file == "-" ? nil : Self.countLines(file))
        let events = reader.compactMap { item -> (tag: Int, event: JSONValue)? in
            switch item.event {
            case .success(let event): return (item.tag, event)
            case .failure(let error):
                progress.record(tag: item.tag, failure: error.reason)
                return nil
            }
        }
        try await sender.sendAll(events, batchSize: batchSize, concurrency: concurrency) { result in
            progress.record(tag: result.tag, failure: result.failure)
        }
        progress.finish()
        if json {
            let summary: [String: Int] = [
                "sent": progress.sent, "failed": progress.failed, "retried": sender.retries,
                "tokens_fetched": sender.tokens.tokensFetched,
            ]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Console.write(String(decoding: try encoder.encode(summary), as: UTF8.self))
        }
        if progress.failed > 0 { throw ExitCode.failure }
    }

    /// Lines in the file, for the ETA, counted in chunks; nil when it cannot be read now.
    private static func countLines(_ path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var lines = 0
        var last: UInt8 = UInt8(ascii: "\n")
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            lines += chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            last = chunk.last ?? last
        }
        return lines + (last == UInt8(ascii: "\n") ? 0 : 1)
    }
}
