import Foundation
import IntakeTestSupport
import Testing

/// `intake send --file …` against a real `intake serve`.
@Suite("intake send")
struct SendCommandTests {
    static let event = #"{"event_type":"lead","event_name":"signup","source_id":"form-1","fields":{"email":"a@example.com"}}"#
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    @Test("--file naming a directory exits non-zero with a clear error")
    func directoryIsRefused() async throws {
        try await TemporaryDirectory.with { directory in
            let folder = directory.appendingPathComponent("events")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let result = try await IntakeExecutable.run(
                ["send", "--file", folder.path, "--url", "http://127.0.0.1:1", "--client-id", "id", "--client-secret", "secret"],
                in: directory)
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("Error: --file \(folder.path) is a directory"), "\(result)")
        }
    }

    @Test("A UTF-8 byte order mark before the first NDJSON line or a JSON array is skipped")
    func byteOrderMarkIsSkipped() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            try await ServeProcess.with(["--database", database], in: directory) { server in
                let client = try #require(server.firstClient, "\(server.stdout)")
                let ndjson = directory.appendingPathComponent("events.ndjson")
                try Data(Self.byteOrderMark + Array("\(Self.event)\n\(Self.event)\n".utf8)).write(to: ndjson)
                let array = directory.appendingPathComponent("events.json")
                try Data(Self.byteOrderMark + Array("[\(Self.event),\(Self.event),\(Self.event)]".utf8)).write(to: array)
                for (file, count) in [(ndjson, 2), (array, 3)] {
                    let result = try await IntakeExecutable.run(
                        ["send", "--file", file.path, "--json", "--url", server.baseURL, "--client-id", client.id],
                        in: directory, environment: ["INTAKE_CLIENT_SECRET": client.secret])
                    #expect(result.status == 0, "\(file.lastPathComponent): \(result)")
                    let summary = try #require(result.stdoutLines.last, "\(result)")
                    let figures = try JSONDecoder().decode([String: Int].self, from: Data(summary.utf8))
                    #expect(figures["sent"] == count, "\(result)")
                    #expect(figures["failed"] == 0, "\(result)")
                }
            }
        }
    }
}
