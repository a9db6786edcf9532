/// How one run of `intake` ended and what it printed.
struct CommandResult: Sendable, CustomStringConvertible {
    var status: Int32
    /// Ended by a signal (a trap, or a kill after a timeout) rather than an exit.
    var crashed: Bool
    var stdout: String
    var stderr: String

    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

    var description: String {
        "status \(status)\(crashed ? " (signal)" : "")\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
    }
}
