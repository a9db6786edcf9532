import Hummingbird
import IntakeCore

/// Reads a request body whole, within a size limit and a time limit: Hummingbird's idle timeout
/// resets on every chunk, so a client trickling a body would otherwise hold its connection and
/// its buffer for as long as it likes.
enum RequestBody {
    static func collect(
        _ request: Request, upTo limit: Int, within timeout: Duration, tooLarge: some Error, tooSlow: some Error
    ) async throws -> ByteBuffer {
        do {
            return try await withDeadline(timeout) { try await request.body.collect(upTo: limit) }
        } catch is DeadlineExceeded {
            throw tooSlow
        } catch {
            throw tooLarge
        }
    }
}
