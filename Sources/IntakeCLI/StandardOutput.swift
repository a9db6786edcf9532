import Foundation

/// Writes to stdout with `write(2)`, so that a reader that goes away (`| head`) ends the command
/// with a one-line error instead of a crash (FileHandle raises an exception that cannot be caught).
enum StandardOutput {
    static func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(STDOUT_FILENO, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CLIError("cannot write to stdout: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}
