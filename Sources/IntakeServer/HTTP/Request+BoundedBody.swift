import Hummingbird
import NIOCore

/// A request body over the size a route takes.
struct RequestBodyTooLarge: Error {}

extension Request {
    /// The whole body when it is at most `limit` bytes. A declared `Content-Length` over the limit
    /// is refused before any of the body is read, so the client is answered at once instead of
    /// after the body timeout; a body that runs past it undeclared (chunked) is refused as it does.
    ///
    /// ```swift
    /// let body = try await request.collectBody(upTo: 64 * 1024)
    /// ```
    func collectBody(upTo limit: Int) async throws(RequestBodyTooLarge) -> ByteBuffer {
        if let declared = headers.value(.contentLength).flatMap(Int.init), declared > limit { throw RequestBodyTooLarge() }
        do {
            return try await body.collect(upTo: limit)
        } catch {
            throw RequestBodyTooLarge()
        }
    }
}
