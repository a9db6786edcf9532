import Foundation

/// Unbuffered lines on stdout, so that a script reading a piped `intake serve` sees them at once.
enum Console {
    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// One JSON value on one line of stdout, keys sorted, with control and format characters as
    /// `\\u` escapes so that even raw JSON on a terminal cannot drive it.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(TerminalText.escapedJSON(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }
}
