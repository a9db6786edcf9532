import Foundation
import Testing

/// The `intake` executable that `swift build --build-tests` put beside this test bundle, run as an
/// operator would: a fresh environment without `INTAKE_*` settings, output captured.
///
/// ```swift
/// let result = try await IntakeExecutable.run(["clients", "list", "--database", path], in: directory)
/// #expect(result.status == 0)
/// ```
enum IntakeExecutable {
    struct Missing: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "the intake executable was not found beside the tests (looked in \(searched.joined(separator: ", "))); run swift build --build-tests first, or set INTAKE_EXECUTABLE"
        }
    }

    /// `.build/<triple>/debug/intake`: the test bundle is in the same directory on Linux
    /// (`…/debug/intakePackageTests.xctest`) and one to four levels below it on macOS.
    static func url() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["INTAKE_EXECUTABLE"] {
            return URL(fileURLWithPath: override)
        }
        var searched: [String] = []
        let starts = [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL, Bundle.main.executableURL]
        for start in starts.compactMap({ $0 }) {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("intake")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate
                }
                searched.append(directory.path)
                directory = directory.deletingLastPathComponent()
            }
        }
        throw Missing(searched: searched)
    }

    /// The environment `intake` gets: this process's, less anything that would point it at
    /// another database, server or key.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("INTAKE_") }
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Starts `intake arguments` in `directory` (with `umask`, when given), writing into the
    /// output's two files.
    static func start(
        _ arguments: [String], in directory: URL, environment extra: [String: String] = [:], umask: String? = nil,
        output: TemporaryOutput
    ) throws -> ChildProcess {
        try ChildProcess(
            executable: try url().path, arguments: arguments, directory: directory.path, umask: umask,
            environment: environment(extra), stdoutPath: output.stdoutURL.path, stderrPath: output.stderrURL.path)
    }

    /// Runs `intake arguments` to its end (killed after `timeout`) and returns what it printed.
    static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], umask: String? = nil,
        timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CommandResult {
        // Files rather than pipes: nothing has to drain them while the process runs, so a chatty
        // command can never block on a full pipe.
        try await TemporaryOutput.with { output in
            let process = try start(arguments, in: directory, environment: environment, umask: umask, output: output)
            let exited = await waitForExit(process, timeout: timeout)
            if !exited {
                process.forceKill()
                Issue.record("intake \(arguments.joined(separator: " ")) did not end within \(timeout)", sourceLocation: sourceLocation)
            }
            return CommandResult(
                status: process.terminationStatus, crashed: process.wasSignalled,
                stdout: output.stdoutText(), stderr: output.stderrText())
        }
    }

    /// Polls until `process` ends; false when `timeout` passed first.
    static func waitForExit(_ process: ChildProcess, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}
