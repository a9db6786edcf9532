import HTTPTypes
import NIOCore
import NIOHTTP1

/// What Hummingbird's HTTP/1 channel leaves undone, done on NIO's HTTP/1 parts (it sits between
/// the request decoder and Hummingbird's codec, where the HTTP version is still known):
///
/// - `Expect: 100-continue` is answered with `100 Continue` when the declared body fits the limit
///   (curl sends it for every body over 1 KiB and waits a second without it); a larger body is not
///   invited, and the connection closes after the `413`.
/// - A request that does not keep the connection alive (HTTP/1.0 without `keep-alive`, or
///   `Connection: close` in any spelling) gets `Connection: close` and a closed connection.
/// - A request without `Host` in HTTP/1.1, or with two (RFC 9112 §3.2), is answered `400` here.
/// - A connection past the ``ConnectionBudget`` is answered `503` as soon as it opens, and closed;
///   an admitted one tells its ``ConnectionSlot`` when its first request arrives.
/// - A request that is not HTTP/1.1 at all (a bad header name, `Content-Length: -1`, …) gets the
///   same `400` problem document as every other refusal, instead of Hummingbird's empty `400`.
/// - A request body must arrive whole within the body timeout, or the answer is `408` and the
///   connection closes: Hummingbird's idle timeout resets on every chunk, so a client trickling a
///   body would hold its connection as long as it likes. One timer per connection watches the body
///   in progress and is set again only when it fires, so a busy connection pays for a timer once
///   per timeout, not once per request (a deadline task per request in the handler cost the token
///   endpoint a third of its rate, measured with `scripts/load.sh`).
/// - After an answer with `Connection: close` (a `413` whose body was never read, say) the
///   connection is closed for real: Hummingbird would only half-close it and wait for the client.
///   The write side closes first, so the client reads the whole answer, then the socket, after a
///   short linger.
final class HTTP1ConnectionPolicy: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// One request whose final answer has not been written yet.
    private struct Exchange {
        var closesConnection: Bool
        var wantsContinue: Bool
        var isAnswered = false
    }

    private let maximumBodySize: Int
    private let bodyTimeout: TimeAmount
    /// The connection's place in the budget; nil when it got none and is refused.
    private let slot: ConnectionSlot?
    private let linger: TimeAmount
    /// The connection's body timer, when set.
    private var bodyTimer: Scheduled<Void>?
    /// When the body now arriving began, if one is.
    private var bodyStarted: NIODeadline?
    private var exchanges = CircularBuffer<Exchange>()
    /// A request was refused here; nothing more is read from this connection.
    private var isRefusing = false

    init(maximumBodySize: Int, bodyTimeout: TimeAmount, slot: ConnectionSlot?, linger: TimeAmount = .seconds(2)) {
        self.maximumBodySize = maximumBodySize
        self.bodyTimeout = bodyTimeout
        self.slot = slot
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The channel may already be active when the handler is added, or become active later.
        if context.channel.isActive { refuseConnectionIfNeeded(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        refuseConnectionIfNeeded(context: context)
    }

    private func refuseConnectionIfNeeded(context: ChannelHandlerContext) {
        guard slot == nil, !isRefusing else { return }
        refuse(context: context, with: Problem.unavailable("Too many open connections; retry later"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !isRefusing else { return }
        refuse(context: context, with: Problem.badRequest("The request is not valid HTTP/1.1"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        bodyTimer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isRefusing else { return }
        let part = Self.unwrapInboundIn(data)
        guard case .head(var head) = part else {
            if case .end = part { bodyStarted = nil }
            context.fireChannelRead(data)
            return
        }
        // From now on the budget will not close this connection to make room (a relaxed load
        // per request; the store happens once).
        if let slot, !slot.hasSentRequest { slot.markRequestSent() }
        // One pass over the headers: this runs for every request.
        var hosts = 0
        var expectsContinue = false
        var declaredLength = 0
        var hasBody = false
        for (name, value) in head.headers {
            switch name.utf8.count {
            case 4 where Self.equalsIgnoringCase(name, "host"):
                hosts += 1
            case 6 where Self.equalsIgnoringCase(name, "expect"):
                expectsContinue = expectsContinue || Self.equalsIgnoringCase(value, "100-continue")
            case 14 where Self.equalsIgnoringCase(name, "content-length"):
                declaredLength = Int(value) ?? 0
                hasBody = hasBody || declaredLength > 0
            case 17 where Self.equalsIgnoringCase(name, "transfer-encoding"):
                hasBody = true
            default:
                break
            }
        }
        let isHTTP11 = (head.version.major, head.version.minor) >= (1, 1)
        if hosts > 1 || (hosts == 0 && isHTTP11) {
            refuse(
                context: context,
                with: Problem.badRequest(hosts == 0 ? "The request has no Host header" : "The request has more than one Host header"))
            return
        }
        var exchange = Exchange(closesConnection: !head.isKeepAlive, wantsContinue: false)
        var forwarded = data
        if isHTTP11, expectsContinue {
            head.headers.remove(name: "expect")
            if declaredLength <= maximumBodySize {
                exchange.wantsContinue = true
            } else {
                // The body will not be invited, so what follows on the connection is not a request.
                exchange.closesConnection = true
            }
            forwarded = Self.wrapInboundOut(.head(head))
        }
        if exchange.closesConnection {
            // Hummingbird ends a connection only when the request says exactly `close`.
            head.headers.replaceOrAdd(name: "connection", value: "close")
            forwarded = Self.wrapInboundOut(.head(head))
        }
        exchanges.append(exchange)
        if exchanges.count == 1 { sendContinueIfWanted(context: context) }
        if hasBody {
            bodyStarted = .now()
            if bodyTimer == nil { setBodyTimer(at: .now() + bodyTimeout, context: context) }
        }
        context.fireChannelRead(forwarded)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            guard let current = exchanges.indices.first else {
                context.write(data, promise: promise)
                return
            }
            // A final answer that comes before the body was invited replaces the 100.
            exchanges[current].wantsContinue = false
            exchanges[current].isAnswered = true
            if head.headers.contains(name: "connection"),
                head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" })
            {
                exchanges[current].closesConnection = true
            }
            guard exchanges[current].closesConnection else {
                context.write(data, promise: promise)
                return
            }
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            let finished = exchanges.isEmpty ? nil : exchanges.removeFirst()
            guard finished?.closesConnection == true else {
                context.write(data, promise: promise)
                sendContinueIfWanted(context: context)
                return
            }
            isRefusing = true
            writeAndClose(data, context: context, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    /// ASCII case-insensitive equality without the allocation of `lowercased()`: this runs on
    /// the headers of every request. `lowercase` is lowercase ASCII.
    private static func equalsIgnoringCase(_ text: String, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        guard text.utf8.count == expected.count else { return false }
        return zip(text.utf8, expected).allSatisfy { byte, wanted in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 == wanted : byte == wanted
        }
    }

    private func setBodyTimer(at deadline: NIODeadline, context: ChannelHandlerContext) {
        bodyTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            bodyTimerFired(context: context)
        }
    }

    private func bodyTimerFired(context: ChannelHandlerContext) {
        bodyTimer = nil
        guard let started = bodyStarted else { return }
        guard NIODeadline.now() >= started + bodyTimeout else {
            // A later body is arriving: watch it until its own deadline.
            setBodyTimer(at: started + bodyTimeout, context: context)
            return
        }
        bodyStarted = nil
        guard exchanges.count == 1, !exchanges[exchanges.startIndex].isAnswered else {
            // An answer is already on its way (or earlier ones are): just end the connection.
            isRefusing = true
            context.close(promise: nil)
            return
        }
        exchanges.removeAll()
        refuse(
            context: context,
            with: Problem(status: .requestTimeout, type: Problem.typeBase + "timeout", detail: "The request body did not arrive in time"))
    }

    private func sendContinueIfWanted(context: ChannelHandlerContext) {
        guard let first = exchanges.indices.first, exchanges[first].wantsContinue else { return }
        exchanges[first].wantsContinue = false
        context.writeAndFlush(Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
    }

    /// Answers `problem` from here, as the application would, and closes.
    private func refuse(context: ChannelHandlerContext, with problem: Problem) {
        isRefusing = true
        guard exchanges.isEmpty else {
            // Answers to earlier pipelined requests are still being written: do not interleave.
            context.close(promise: nil)
            return
        }
        let body = problem.body
        var headers = HTTPHeaders(problem.headers.map { ($0.name.canonicalName, $0.value) })
        headers.add(name: "content-type", value: "application/problem+json")
        headers.add(name: "content-length", value: String(body.count))
        headers.add(name: "connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: problem.status.code), headers: headers)
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        writeAndClose(Self.wrapOutboundOut(.end(nil)), context: context, promise: nil)
    }

    private func writeAndClose(_ data: NIOAny, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let written = promise ?? context.eventLoop.makePromise()
        context.writeAndFlush(data, promise: written)
        let linger = self.linger
        written.futureResult.assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            _ = context.eventLoop.assumeIsolated().scheduleTask(in: linger) {
                context.close(mode: .all, promise: nil)
            }
        }
    }
}
