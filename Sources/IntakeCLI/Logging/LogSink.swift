import Foundation
import Synchronization

/// Where log lines go: stderr, written in batches. A server logs every request, and one `write(2)`
/// per line (what swift-log's `StreamLogHandler` does, behind a lock) took 23% of `/health`'s rate
/// and 30% of the token endpoint's on the 2-core test machine (`scripts/ab.sh`, logging on
/// against `INTAKE_LOG_LEVEL=warning`). Lines are appended to a buffer that a background thread
/// writes every ``interval``, or at once when it passes ``highWater``; warnings and worse are
/// written at once, after everything before them. A process killed with SIGKILL loses at most
/// the last interval's `info` lines; a graceful exit calls ``flush()``.
///
/// ```swift
/// LogSink.standardError.append(Array("a line\n".utf8), urgent: false)
/// LogSink.standardError.flush()
/// ```
final class LogSink: Sendable {
    /// Seconds.
    static let interval = 0.1
    static let highWater = 64 * 1024
    static let standardError = LogSink(fileDescriptor: STDERR_FILENO)

    private let fileDescriptor: Int32
    /// Lines not written yet; held only to append or to take them, never across a write.
    private let pending = Mutex<[UInt8]>([])
    /// Held across take-and-write, so that lines leave in order; a logger of `info` lines never
    /// waits for it, only the writer thread and loggers of warnings do.
    private let writing = Mutex(())

    private init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        let thread = Thread { [weak self] in
            while let sink = self {
                Thread.sleep(forTimeInterval: Self.interval)
                sink.flush()
            }
        }
        thread.name = "intake-log"
        thread.start()
    }

    func append(_ line: [UInt8], urgent: Bool) {
        let full = pending.withLock { buffer in
            buffer.append(contentsOf: line)
            return buffer.count >= Self.highWater
        }
        if urgent || full { flush() }
    }

    /// Writes what is pending now.
    func flush() {
        writing.withLock { _ in
            let lines = pending.withLock { buffer in
                defer { buffer.removeAll(keepingCapacity: true) }
                return buffer
            }
            if !lines.isEmpty { write(lines) }
        }
    }

    private func write(_ lines: [UInt8]) {
        // A stderr that is gone leaves nowhere to say so.
        try? StandardOutput.write(lines, to: fileDescriptor)
    }
}
