import Foundation
import Logging

/// Unbuffered lines on stdout, so that a script reading a piped `intake serve` sees them at once.
enum Console {
    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// What `intake serve` tells whoever started it (where it listens, a first client's
    /// credentials) on stdout: the text line as it is, or, under `--log-format json`, one JSON
    /// object in the shape of the log lines with `details` as members, so that a collector
    /// reading both streams sees JSON only.
    static func announce(_ text: String, summary: String, details: Logger.Metadata, format: CLILogging.Format) {
        switch format {
        case .text:
            write(text)
        case .json:
            let event = LogEvent(
                level: .notice, message: "\(summary)", metadata: nil, source: nil, file: #fileID, function: #function, line: #line)
            let line = LogLineHandler.jsonLine(event, label: "intake", metadata: details.sorted { $0.key < $1.key })
            FileHandle.standardOutput.write(Data(line))
        }
    }

    /// One JSON value on one line of stdout, keys sorted, with control and format characters as
    /// `\\u` escapes so that even raw JSON on a terminal cannot drive it.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(TerminalText.escapedJSON(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }
}
