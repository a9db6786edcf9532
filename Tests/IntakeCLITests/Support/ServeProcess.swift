import Foundation
import Testing

/// A running `intake serve --port 0`, found listening through its banner
/// (`Intake listening on http://127.0.0.1:PORT (…)`), and always killed when the test is done.
///
/// ```swift
/// try await ServeProcess.with(["--database", path], in: directory) { server in
///     server.signal(SIGTERM)
///     let result = try await server.waitForExit()
/// }
/// ```
struct ServeProcess {
    let process: ChildProcess
    let output: TemporaryOutput
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var stdout: String { output.stdoutText() }
    var stderr: String { output.stderrText() }

    /// The first client's credentials from the banner, when the server created one.
    var firstClient: (id: String, secret: String)? {
        let lines = stdout.split(separator: "\n")
        func value(_ key: String) -> String? {
            lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key) }
                .map { String($0.split(separator: " ").last ?? "") }
        }
        guard let id = value("client_id:"), let secret = value("client_secret:") else { return nil }
        return (id, secret)
    }

    /// Starts `intake serve --host 127.0.0.1 --port 0 extraArguments`, waits for its banner, runs
    /// `body`, and kills the server if it is still running.
    static func with<Value>(
        _ extraArguments: [String], in directory: URL, umask: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: (ServeProcess) async throws -> Value
    ) async throws -> Value {
        try await TemporaryOutput.with { output in
            let process = try IntakeExecutable.start(
                ["serve", "--host", "127.0.0.1", "--port", "0"] + extraArguments, in: directory, umask: umask,
                output: output)
            defer { process.forceKill() }
            let port = try await waitForBanner(process, output: output, sourceLocation: sourceLocation)
            return try await body(ServeProcess(process: process, output: output, port: port))
        }
    }

    private static func waitForBanner(
        _ process: ChildProcess, output: TemporaryOutput, sourceLocation: SourceLocation
    ) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let text = output.stdoutText()
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Intake listening on http://") }),
                let port = port(in: String(line))
            {
                return port
            }
            guard process.isRunning else {
                try #require(Bool(false), "intake serve ended before listening:\n\(text)\n\(output.stderrText())", sourceLocation: sourceLocation)
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(Bool(false), "intake serve printed no banner within 20 s:\n\(output.stdoutText())\n\(output.stderrText())", sourceLocation: sourceLocation)
        return 0
    }

    /// `8080` from `Intake listening on http://127.0.0.1:8080 (…)`.
    static func port(in banner: String) -> Int? {
        let address = banner.dropFirst("Intake listening on http://".count).prefix { $0 != " " }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }

    func signal(_ number: Int32) {
        process.signal(number)
    }

    /// Waits (bounded) for the server to end, and returns how it ended.
    func waitForExit(timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation) async -> CommandResult {
        if !(await IntakeExecutable.waitForExit(process, timeout: timeout)) {
            process.forceKill()
            Issue.record("intake serve did not stop within \(timeout)", sourceLocation: sourceLocation)
        }
        return CommandResult(
            status: process.terminationStatus, crashed: process.wasSignalled, stdout: stdout,
            stderr: stderr)
    }
}
