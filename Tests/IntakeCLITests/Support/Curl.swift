import Foundation
import Testing

/// curl, as an operator would call the server: for what needs a real HTTP client outside the
/// test process (TLS with a CA file, ALPN).
enum Curl {
    /// `curl --silent --show-error arguments`, bounded in time.
    static func run(_ arguments: [String], timeout: Duration = .seconds(20)) async throws -> CommandResult {
        try await TemporaryOutput.with { output in
            let process = try ChildProcess(
                executable: "curl", arguments: ["--silent", "--show-error", "--max-time", "15"] + arguments, directory: "/",
                environment: ProcessInfo.processInfo.environment, stdoutPath: output.stdoutURL.path, stderrPath: output.stderrURL.path)
            if !(await IntakeExecutable.waitForExit(process, timeout: timeout)) { process.forceKill() }
            return CommandResult(
                status: process.terminationStatus, crashed: process.wasSignalled, stdout: output.stdoutText(),
                stderr: output.stderrText())
        }
    }
}
