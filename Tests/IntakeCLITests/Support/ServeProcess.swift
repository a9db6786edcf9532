import Foundation
import Testing

/// A running `intake serve --port 0`, found listening through its banner
/// (`Intake listening on http://127.0.0.1:PORT (…)`, and `Admin listener on http://…` with
/// `--admin-port`), and always killed when the test is done.
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
    /// The admin listener's port, when `--admin-port` opened one.
    let adminPort: Int?
    /// `http`, or `https` with `--tls-cert`.
    let scheme: String

    var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }
    var adminURL: String? { adminPort.map { "http://127.0.0.1:\($0)" } }
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
        _ extraArguments: [String], in directory: URL, environment: [String: String] = [:], umask: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: (ServeProcess) async throws -> Value
    ) async throws -> Value {
        try await TemporaryOutput.with { output in
            let process = try IntakeExecutable.start(
                ["serve", "--host", "127.0.0.1", "--port", "0"] + extraArguments, in: directory, environment: environment,
                umask: umask, output: output)
            defer { process.forceKill() }
            let wantsAdmin = extraArguments.contains("--admin-port")
            let banner = try await waitForBanner(process, output: output, wantsAdmin: wantsAdmin, sourceLocation: sourceLocation)
            return try await body(
                ServeProcess(process: process, output: output, port: banner.port, adminPort: banner.adminPort, scheme: banner.scheme))
        }
    }

    private static func waitForBanner(
        _ process: ChildProcess, output: TemporaryOutput, wantsAdmin: Bool, sourceLocation: SourceLocation
    ) async throws -> (port: Int, adminPort: Int?, scheme: String) {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let lines = output.stdoutText().split(separator: "\n").map(String.init)
            let admin = lines.first { $0.contains("Admin listener on ") }.flatMap { port(in: $0, after: "Admin listener on ") }
            if let line = lines.first(where: { $0.contains("Intake listening on ") }),
                let port = port(in: line, after: "Intake listening on "), admin != nil || !wantsAdmin
            {
                return (port, admin, line.contains("Intake listening on https://") ? "https" : "http")
            }
            guard process.isRunning else {
                try #require(
                    Bool(false), "intake serve ended before listening:\n\(output.stdoutText())\n\(output.stderrText())",
                    sourceLocation: sourceLocation)
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(Bool(false), "intake serve printed no banner within 20 s:\n\(output.stdoutText())\n\(output.stderrText())", sourceLocation: sourceLocation)
        return (0, nil, "http")
    }

    /// `8080` from `Intake listening on http://127.0.0.1:8080 (…)` (`prefix` is the text before the
    /// URL), as a text line or within a JSON one (`--log-format json`).
    static func port(in banner: String, after prefix: String = "Intake listening on ") -> Int? {
        guard let start = banner.range(of: prefix) else { return nil }
        let url = banner[start.upperBound...]
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let address = url[schemeEnd.upperBound...].prefix { $0 != " " && $0 != "\"" }
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
