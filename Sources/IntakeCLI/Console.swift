import Foundation

/// Unbuffered lines on stdout, so that a script reading a piped `intake serve` sees them at once.
enum Console {
    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
