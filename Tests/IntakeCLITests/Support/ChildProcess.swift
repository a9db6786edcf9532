#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn`, its stdout and stderr in files.
///
/// Not Foundation's `Process`: in Swift 6.3.1 on Linux, `Process.run()` reads past a buffer while it
/// lists `/proc/self/fd` (swift-corelibs-foundation PR #5472) and crashed this test run in CI now and
/// then, since the test process holds many descriptors.
final class ChildProcess {
    struct SpawnFailed: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { "posix_spawn failed: \(String(cString: strerror(errno)))" }
    }

    let processIdentifier: pid_t
    private var waitStatus: Int32?

    /// Starts `executable arguments` in `directory` (with `umask`, when given) and exactly
    /// `environment`, stdin from /dev/null, stdout and stderr appended to the two files. A shell
    /// changes directory and umask and then `exec`s the executable, so the process id is the
    /// executable's (glibc's `posix_spawn_file_actions_addchdir_np` is not visible to Swift).
    init(
        executable: String, arguments: [String], directory: String, umask: String? = nil,
        environment: [String: String], stdoutPath: String, stderrPath: String
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let script = (umask.map { "umask \($0) && " } ?? "") + #"cd "$0" && exec "$@""#
        let argv = (["/bin/sh", "-c", script, directory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard result == 0 else { throw SpawnFailed(errno: result) }
        processIdentifier = pid
    }

    deinit { forceKill() }

    /// False once the child has ended (and has been reaped).
    var isRunning: Bool {
        guard waitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(processIdentifier, &status, WNOHANG) == processIdentifier else { return true }
        waitStatus = status
        return false
    }

    /// The exit status, or the signal number when it was killed by a signal.
    var terminationStatus: Int32 {
        guard let status = waitStatus else { return -1 }
        return wasSignalled ? status & 0x7F : (status >> 8) & 0xFF
    }

    /// Whether a signal ended it.
    var wasSignalled: Bool {
        guard let status = waitStatus else { return false }
        return (status & 0x7F) != 0 && (status & 0x7F) != 0x7F
    }

    func signal(_ number: Int32) {
        guard isRunning else { return }
        kill(processIdentifier, number)
    }

    /// SIGKILL and reap, for a process a test is giving up on.
    func forceKill() {
        guard isRunning else { return }
        kill(processIdentifier, SIGKILL)
        var status: Int32 = 0
        if waitpid(processIdentifier, &status, 0) == processIdentifier { waitStatus = status }
    }
}
