import Dispatch
import Foundation

/// Blocking reads of 64 KiB on a queue of their own, so a slow stdin never holds a Swift
/// concurrency thread.
struct ChunkReader: Sendable {
    let handle: FileHandle
    private static let queue = DispatchQueue(label: "intake.send.input")

    func read() async -> [UInt8] {
        await withCheckedContinuation { continuation in
            Self.queue.async {
                continuation.resume(returning: Array((try? handle.read(upToCount: 64 * 1024)) ?? Data()))
            }
        }
    }
}
