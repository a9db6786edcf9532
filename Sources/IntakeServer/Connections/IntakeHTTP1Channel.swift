import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with what a server on an open network needs around it: a bounded
/// number of connections (``ConnectionBudget``), the idle timeout of ``HTTP1Channel``, and
/// ``HTTP1ConnectionPolicy`` on every connection.
struct IntakeHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let budget: ConnectionBudget
    let maximumBodySize: Int
    let bodyTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // A connection past the budget is still set up, so that it can be told why it is refused;
        // it does not count, and it closes as soon as the answer is written.
        let address = channel.remoteAddress?.ipAddress
        let admitted = budget.acquire(address: address)
        if admitted {
            let budget = self.budget
            channel.closeFuture.whenComplete { _ in budget.release(address: address) }
        } else {
            logger.warning(
                "Connection refused: a connection limit is reached",
                metadata: ["limit": "\(budget.limit)", "limit_per_address": "\(budget.limitPerAddress)"])
        }
        let (maximumBodySize, bodyTimeout) = (self.maximumBodySize, self.bodyTimeout)
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(
                HTTP1ConnectionPolicy(
                    maximumBodySize: maximumBodySize, bodyTimeout: bodyTimeout, refusesConnection: !admitted), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// ``IntakeHTTP1Channel`` for `Application(server:)`.
    static func intakeHTTP1(
        idleTimeout: Duration, bodyTimeout: Duration, budget: ConnectionBudget, maximumBodySize: Int
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            IntakeHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: TimeAmount(idleTimeout))),
                budget: budget, maximumBodySize: maximumBodySize, bodyTimeout: TimeAmount(bodyTimeout))
        }
    }
}
