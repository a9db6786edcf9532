import Foundation

/// Writes to stdout or stderr with `write(2)`: FileHandle raises an exception that cannot be
/// caught when the reader has gone, and with SIGPIPE ignored (``ignoreBrokenPipes()``) a reader
/// that goes away (`| head`) becomes ``Closed``, which a command can answer in one line.
enum StandardOutput {
    /// The reader of the stream closed it.
    struct Closed: Error {}

    /// From now on a closed pipe is an error of the write, not a signal that ends the process.
    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    static func write(_ bytes: [UInt8], to fileDescriptor: Int32 = STDOUT_FILENO) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fileDescriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        // A non-blocking stream that is full: wait until it takes more.
                        var waiting = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&waiting, 1, 100)
                        continue
                    }
                    if errno == EPIPE { throw Closed() }
                    throw CLIError("cannot write to \(fileDescriptor == STDOUT_FILENO ? "stdout" : "stderr"): \(String(cString: strerror(errno)))")
                }
                guard written > 0 else { throw Closed() }
                offset += written
            }
        }
    }
}
