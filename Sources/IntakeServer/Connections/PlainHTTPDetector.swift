import NIOCore

/// The first handler on a TLS connection, before NIOSSL. A client that sends plain HTTP to the
/// TLS port (`http://` for `https://`, an easy slip) would otherwise see the connection closed
/// without a word, as NIOSSL takes the request line for a broken handshake; here it is answered
/// `400` with a problem document that says to use `https://`, and the connection closes.
///
/// The first bytes decide: a request line begins with a method and a space (`GET `, `POST `, …),
/// which no TLS record does (a ClientHello begins with 0x16). Anything else goes to NIOSSL
/// unchanged, in the same read, and the detector leaves the pipeline, so TLS clients meet NIOSSL
/// exactly as they would without it. Fewer than 8 bytes are ever held, while a method is incomplete.
final class PlainHTTPDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Verdict {
        case undecided, plainHTTP, other
    }

    /// RFC 9110's methods and PATCH, each with the space after it.
    static let requestLineStarts: [[UInt8]] = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]
        .map { Array("\($0) ".utf8) }

    static let answer: [UInt8] = {
        let body = Problem.badRequest("This port speaks HTTPS; use https://").body
        let head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: \(body.count)\r\n"
            + "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }()

    /// After the answer the connection lingers half-closed this long at most, so that the rest of
    /// the request, still arriving, does not make the kernel reset the connection before the
    /// client has read the answer.
    static let linger = TimeAmount.seconds(2)

    /// The start of a request line, held until the method is complete.
    private var held: ByteBuffer?
    private var isRefusing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isRefusing else { return }
        var bytes = Self.unwrapInboundIn(data)
        if var held {
            held.writeBuffer(&bytes)
            bytes = held
        }
        switch Self.verdict(on: bytes.readableBytesView) {
        case .undecided:
            held = bytes
        case .plainHTTP:
            held = nil
            refuse(context: context)
        case .other:
            held = nil
            context.fireChannelRead(Self.wrapInboundOut(bytes))
            leave(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if isRefusing {
            // The client has read the answer and closed its side.
            context.close(promise: nil)
        } else {
            // Never a complete method: NIOSSL ends the connection as it would have.
            if let held { context.fireChannelRead(Self.wrapInboundOut(held)) }
            held = nil
            context.fireUserInboundEventTriggered(event)
            leave(context: context)
        }
    }

    /// After the last event passed on: a removed handler's context no longer reaches the next.
    private func leave(context: ChannelHandlerContext) {
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func refuse(context: ChannelHandlerContext) {
        isRefusing = true
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(bytes: Self.answer))).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            _ = context.eventLoop.assumeIsolated().scheduleTask(in: Self.linger) {
                context.close(promise: nil)
            }
        }
    }

    private static func verdict(on bytes: ByteBufferView) -> Verdict {
        var couldBecomeRequestLine = false
        for start in requestLineStarts {
            let common = min(start.count, bytes.count)
            guard bytes.prefix(common).elementsEqual(start.prefix(common)) else { continue }
            if bytes.count >= start.count { return .plainHTTP }
            couldBecomeRequestLine = true
        }
        return couldBecomeRequestLine ? .undecided : .other
    }
}
