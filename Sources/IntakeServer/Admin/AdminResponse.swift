import Hummingbird
import NIOCore

/// The admin API's JSON answers; those that carry a secret are never to be cached.
enum AdminResponse {
    static func json(_ status: HTTPResponse.Status, _ body: [UInt8], carriesSecret: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if carriesSecret { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
