import Foundation
import Synchronization
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

    /// A process for `intake arguments` in `directory`, writing into the two files; with `umask`,
    /// started through /bin/sh so that the umask applies to it.
    static func process(
        _ arguments: [String], in directory: URL, environment extra: [String: String] = [:], umask: String? = nil,
        stdout: FileHandle, stderr: FileHandle
    ) throws -> Process {
        let executable = try url()
        let process = Process()
        if let umask {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask \(umask) && exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        process.environment = environment(extra)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        return process
    }

    /// Starts `process`, one launch at a time across the whole test run: Foundation's `Process.run()`
    /// on Linux is not safe to call from several threads at once (a parallel run crashed inside it,
    /// in its copy of the environment, under CI).
    static func launch(_ process: Process) throws {
        try launching.withLock { _ in try process.run() }
    }

    private static let launching = Mutex(())

    /// Runs `intake arguments` to its end (killed after `timeout`) and returns what it printed.
    static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], umask: String? = nil,
        timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CommandResult {
        // Files rather than pipes: nothing has to drain them while the process runs, so a chatty
        // command can never block on a full pipe.
        try await TemporaryOutput.with { output in
            let process = try Self.process(
                arguments, in: directory, environment: environment, umask: umask, stdout: output.stdout,
                stderr: output.stderr)
            try launch(process)
            let exited = await waitForExit(process, timeout: timeout)
            if !exited {
                process.forceKill()
                Issue.record("intake \(arguments.joined(separator: " ")) did not end within \(timeout)", sourceLocation: sourceLocation)
            }
            return CommandResult(
                status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal,
                stdout: output.stdoutText(), stderr: output.stderrText())
        }
    }

    /// Polls until `process` ends; false when `timeout` passed first.
    static func waitForExit(_ process: Process, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        // isRunning turns false when the reaper has collected the status.
        process.waitUntilExit()
        return true
    }
}

extension Process {
    /// SIGKILL and reap, for a process a test is giving up on.
    func forceKill() {
        guard isRunning else { return }
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
    }
}
