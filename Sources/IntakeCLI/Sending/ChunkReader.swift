import Dispatch
import Foundation

/// Blocking reads of 64 KiB on a queue of their own, so a slow stdin never holds a Swift
/// concurrency thread.
struct ChunkReader: Sendable {
    let handle: FileHandle
    private static let queue = DispatchQueue(label: "intake.send.input")

    /// The next chunk, empty at the end; a read error is thrown, not taken for the end (it would
    /// turn an unreadable file into a successful send of what came before).
    func read() async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async {
                do {
                    continuation.resume(returning: Array(try handle.read(upToCount: 64 * 1024) ?? Data()))
                } catch {
                    continuation.resume(throwing: CLIError("cannot read the events: \(error.localizedDescription)"))
                }
            }
        }
    }
}
