import Foundation
import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeTestSupport
import Testing

/// `intake events export`: NDJSON of every account's events, oldest first, filtered, resumable.
@Suite("intake events export")
struct EventsExportCommandTests {
    static let t0: Int64 = 1_764_547_200_000  // 2025-12-01T00:00:00Z

    /// Seven events over two accounts and two sources, created a minute apart.
    static func seed(_ path: String) async throws -> [Int64] {
        let store = try SQLiteStore(path: path)
        var ids: [Int64] = []
        for index in 0..<7 {
            let event = Fixtures.event(name: "e\(index)", source: index % 2 == 0 ? "even" : "odd", createdAt: t0 + Int64(index) * 60_000)
            let outcome = try await store.store(Fixtures.submission(account: index < 4 ? "acme" : "globex", events: [event]))
            ids += try #require(outcome.storedIDs)
        }
        return ids
    }

    static func export(_ arguments: [String], database: String, in directory: URL) async throws -> (CommandResult, [[String: Any]]) {
        let result = try await IntakeExecutable.run(["events", "export", "--database", database] + arguments, in: directory)
        let lines = try result.stdoutLines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
        return (result, lines)
    }

    @Test("Every event, in id order, one JSON object per line with account and client_id, and a summary on stderr")
    func exportsEverything() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let ids = try await Self.seed(database)
            let (result, lines) = try await Self.export([], database: database, in: directory)
            #expect(result.status == 0, "\(result)")
            #expect(lines.compactMap { $0["id"] as? Int64 } == ids)
            #expect(lines.compactMap { $0["account"] as? String } == ["acme", "acme", "acme", "acme", "globex", "globex", "globex"])
            #expect(lines.allSatisfy { $0["client_id"] as? String == "client-1" && $0["event_type"] as? String == "lead" })
            #expect(lines.first?["created_at"] as? String == "2025-12-01T00:00:00.000Z")
            #expect(result.stderr == "Exported 7 events; to go on later, add --after \(ids[6])\n", "\(result)")
        }
    }

    @Test("--after resumes after an id; --source-id, --account, --since and --until filter")
    func filtersAndResumes() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let ids = try await Self.seed(database)
            let names = { (lines: [[String: Any]]) in lines.compactMap { $0["event_name"] as? String } }
            #expect(names(try await Self.export(["--after", String(ids[4])], database: database, in: directory).1) == ["e5", "e6"])
            #expect(names(try await Self.export(["--source-id", "odd"], database: database, in: directory).1) == ["e1", "e3", "e5"])
            #expect(names(try await Self.export(["--account", "globex"], database: database, in: directory).1) == ["e4", "e5", "e6"])
            let window = ["--since", "2025-12-01T00:02:00Z", "--until", "2025-12-01T00:04:00Z"]
            #expect(names(try await Self.export(window, database: database, in: directory).1) == ["e2", "e3"])
            let none = try await Self.export(["--since", "1h"], database: database, in: directory)
            #expect(none.1.isEmpty)
            #expect(none.0.stderr == "Exported 0 events\n", "\(none.0)")
            let bad = try await IntakeExecutable.run(["events", "export", "--database", database, "--since", "yesterday"], in: directory)
            #expect(bad.status == 64, "\(bad)")
        }
    }

    @Test("An export larger than many pages streams whole")
    func manyPages() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let store = try SQLiteStore(path: database)
            let batch = (0..<500).map { Fixtures.event(name: "bulk-\($0)") }
            for _ in 0..<5 { _ = try await store.store(Fixtures.submission(events: batch)) }
            let (result, lines) = try await Self.export([], database: database, in: directory)
            #expect(result.status == 0)
            #expect(lines.count == 2500)
            let ids = lines.compactMap { $0["id"] as? Int64 }
            #expect(ids == ids.sorted() && Set(ids).count == 2500)
        }
    }
}
