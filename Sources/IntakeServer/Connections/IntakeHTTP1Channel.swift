import HummingbirdCore
import IntakeCore
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Hummingbird's HTTP/1 channel with what a server on an open network needs around it: a bounded
/// number of connections (``ConnectionBudget``, which closes idle ones under pressure), the idle timeout of ``HTTP1Channel``, and
/// ``HTTP1ConnectionPolicy`` on every connection.
struct IntakeHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let budget: ConnectionBudget
    let pressure: ConnectionPressure
    let maximumBodySize: Int
    let bodyTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // A connection past the budget is still set up, so that it can be told why it is refused;
        // it does not count, and it closes as soon as the answer is written.
        var slot: ConnectionSlot?
        switch budget.admit(channel, from: channel.remoteAddress.flatMap(IPAddress.init(socketAddress:))) {
        case .admitted(let admitted, let evicted):
            slot = admitted
            let budget = self.budget
            channel.closeFuture.whenComplete { _ in budget.release(admitted) }
            if evicted != nil { pressure.evictedIdleConnection() }
        case .refused(let reason):
            pressure.refused(reason, budget: budget, logger: logger)
        }
        let (maximumBodySize, bodyTimeout) = (self.maximumBodySize, self.bodyTimeout)
        return base.setup(channel: channel, logger: logger).flatMapThrowing { [slot] value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(
                HTTP1ConnectionPolicy(maximumBodySize: maximumBodySize, bodyTimeout: bodyTimeout, slot: slot), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// ``IntakeHTTP1Channel`` for `Application(server:)`, over TLS (``IntakeTLSChannel``) when
    /// given a context: one builder, so both listeners and both schemes get the same policy.
    static func intakeHTTP1(
        idleTimeout: Duration, bodyTimeout: Duration, budget: ConnectionBudget, maximumBodySize: Int, tls: NIOSSLContext? = nil
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            let http = IntakeHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: TimeAmount(idleTimeout))),
                budget: budget, pressure: ConnectionPressure(), maximumBodySize: maximumBodySize, bodyTimeout: TimeAmount(bodyTimeout))
            guard let tls else { return http }
            return IntakeTLSChannel(base: http, sslContext: tls)
        }
    }
}
