import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// ``IntakeHTTP1Channel`` over TLS, with a ``PlainHTTPDetector`` in front of NIOSSL: HummingbirdTLS's
/// `TLSChannel` cannot take one, as it puts NIOSSL first in the pipeline itself.
struct IntakeTLSChannel: ServerChildChannel {
    typealias Value = IntakeHTTP1Channel.Value

    let base: IntakeHTTP1Channel
    /// Made once, when the server is built: every connection's NIOSSL handler shares it.
    let sslContext: NIOSSLContext

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(PlainHTTPDetector())
            try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
