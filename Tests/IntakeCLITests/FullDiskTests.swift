import Foundation
import IntakeTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A server whose database disk fills up: event posts get `503` (never a `2xx` for an event that
/// was not stored), `/ready` says so, the log says so without a line per request, and all of it
/// comes back once there is room again. The disk is a real one: a small tmpfs, which needs root
/// (CI runs as root); elsewhere the test says it skipped.
@Suite("Full disk")
struct FullDiskTests {
    static let canMount = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")
    static let event = #"{"event_type":"lead","event_name":"disk","source_id":"s","fields":{"pad":"\#(String(repeating: "x", count: 2000))"}}"#

    @Test(
        "On a full disk: 503 for events, /ready 503, one log line a second; all well again once space comes back",
        .enabled(if: canMount, "skipped: mounting a small tmpfs needs root"))
    func fullDisk() async throws {
        try await TemporaryDirectory.with { directory in
            let disk = directory.appendingPathComponent("disk")
            try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
            try #require(try Self.system("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.path]) == 0)
            defer { _ = try? Self.system("/bin/umount", ["-l", disk.path]) }
            try await ServeProcess.with(["--database", disk.appendingPathComponent("intake.sqlite").path], in: directory) { server in
                let client = try #require(server.firstClient)
                let token = try await Self.token(server, client)
                #expect(try await Self.post(server, token) == "201")
                // Fill what is left, then post until the store refuses.
                let filler = disk.appendingPathComponent("filler")
                Self.fill(filler.path)
                var codes: [String] = []
                for _ in 0..<300 where codes.last != "503" { codes.append(try await Self.post(server, token)) }
                #expect(codes.last == "503", "posts on a full disk: \(Set(codes))")
                #expect(!codes.contains { $0 != "201" && $0 != "503" }, "\(Set(codes))")
                #expect(try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", server.baseURL + "/ready"]).stdout == "503")
                for _ in 0..<50 { _ = try await Self.post(server, token) }
                let lines = server.stderr.split(separator: "\n").filter { $0.contains("Events could not be stored") }
                #expect(!lines.isEmpty && lines.count <= 10, "\(lines.count) log lines for 50+ failed posts")
                // Room again: ready, and events are stored.
                try FileManager.default.removeItem(at: filler)
                let ready = try await eventually {
                    try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", server.baseURL + "/ready"]).stdout == "200"
                }
                #expect(ready, "/ready did not come back once there was space")
                #expect(try await Self.post(server, token) == "201")
            }
        }
    }

    static func token(_ server: ServeProcess, _ client: (id: String, secret: String)) async throws -> String {
        let answer = try await Curl.run([
            "-u", "\(client.id):\(client.secret)", "-d", "grant_type=client_credentials", server.baseURL + "/oauth2/token",
        ])
        let json = try JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: Any]
        return try #require(json?["access_token"] as? String, "\(answer)")
    }

    static func post(_ server: ServeProcess, _ token: String) async throws -> String {
        try await Curl.run([
            "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
            "-d", event, server.baseURL + "/v2/event",
        ]).stdout
    }

    /// Writes zeros to `path` until the file system has no room left.
    static func fill(_ path: String) {
        guard let file = fopen(path, "w") else { return }
        defer { fclose(file) }
        let block = [UInt8](repeating: 0, count: 64 * 1024)
        while fwrite(block, 1, block.count, file) == block.count {}
        fflush(file)
    }

    /// Runs a system command to its end (mount and umount return at once).
    @discardableResult
    static func system(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
