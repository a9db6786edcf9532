import Foundation
import IntakeModel

/// Events read from a file or stdin, one at a time and only as fast as they are asked for.
///
/// NDJSON (one object per line) is streamed; a document that starts with `[` is a JSON array and
/// is read whole. Each element is tagged with its line number (NDJSON) or position (array); a line
/// that is not a JSON object comes out as a failure with its reason.
struct EventFileReader: AsyncSequence {
    typealias Element = (tag: Int, event: Result<JSONValue, LineError>)

    struct LineError: Error, Sendable {
        var reason: String
    }

    let handle: FileHandle

    init(path: String) throws {
        if path == "-" {
            handle = .standardInput
        } else {
            // open(2) succeeds on a directory and only the reads fail, which would look like an
            // empty file and a successful send of nothing.
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw CLIError("--file \(path) is a directory; give a file of events (NDJSON or a JSON array) or - for stdin")
            }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CLIError("cannot read \(path)")
            }
            self.handle = handle
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(chunks: ChunkReader(handle: handle)) }

    struct Iterator: AsyncIteratorProtocol {
        var chunks: ChunkReader
        var pending: [UInt8] = []
        var position = 0
        var lineNumber = 0
        var arrayItems: IndexingIterator<[JSONValue]>?
        var isAtEnd = false
        var started = false

        mutating func next() async throws -> Element? {
            if !started {
                started = true
                try await fill()
                // A UTF-8 byte order mark (as some Windows editors write) is no part of the first
                // event; a short first read of a pipe may hold only part of it.
                while pending.count < Self.byteOrderMark.count, !isAtEnd,
                    Self.byteOrderMark.starts(with: pending)
                {
                    try await fill()
                }
                if pending.starts(with: Self.byteOrderMark) { position = Self.byteOrderMark.count }
                if let first = pending[position...].first(where: { !Self.isWhitespace($0) }), first == UInt8(ascii: "[") {
                    return try await startArray()
                }
            }
            if arrayItems != nil { return nextArrayItem() }
            while true {
                if let newline = pending[position...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[position..<newline]
                    position = newline + 1
                    lineNumber += 1
                    if let element = Self.element(line, tag: lineNumber) { return element }
                    continue
                }
                if isAtEnd {
                    guard position < pending.count else { return nil }
                    let line = pending[position...]
                    position = pending.count
                    lineNumber += 1
                    if let element = Self.element(line, tag: lineNumber) { return element }
                    return nil
                }
                try await fill()
            }
        }

        static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

        private mutating func fill() async throws {
            if position > 0 {
                pending.removeFirst(position)
                position = 0
            }
            let chunk = try await chunks.read()
            if chunk.isEmpty { isAtEnd = true } else { pending.append(contentsOf: chunk) }
        }

        private mutating func startArray() async throws -> Element? {
            while !isAtEnd { try await fill() }
            guard case .array(let items) = try? JSONValue(parsing: pending[position...]) else {
                isAtEnd = true
                pending = []
                return (1, .failure(LineError(reason: "the input starts with [ but is not a JSON array")))
            }
            arrayItems = items.makeIterator()
            return nextArrayItem()
        }

        private mutating func nextArrayItem() -> Element? {
            guard let item = arrayItems?.next() else { return nil }
            lineNumber += 1
            if case .object = item { return (lineNumber, .success(item)) }
            return (lineNumber, .failure(LineError(reason: "item \(lineNumber) is not a JSON object")))
        }

        /// Nil for a blank line.
        private static func element(_ line: ArraySlice<UInt8>, tag: Int) -> Element? {
            guard line.contains(where: { !isWhitespace($0) }) else { return nil }
            guard let value = try? JSONValue(parsing: line) else {
                return (tag, .failure(LineError(reason: "not valid JSON")))
            }
            guard case .object = value else {
                return (tag, .failure(LineError(reason: "not a JSON object")))
            }
            return (tag, .success(value))
        }

        private static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
        }
    }
}
