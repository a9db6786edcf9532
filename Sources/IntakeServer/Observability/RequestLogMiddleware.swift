import Hummingbird
import Logging

/// Outermost middleware: one log line per request, at `info`, with the method, the route
/// template (never the path or query as sent, which may carry anything), the status, the
/// duration, the authenticated client's id and the request id, which is also echoed in
/// `X-Request-Id` and set on the request's logger. Nothing from the body or the credentials
/// reaches the line.
///
/// ```swift
/// router.add(middleware: RequestLogMiddleware(logger: logger))
/// ```
struct RequestLogMiddleware<Context: AttributedRequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = RequestID.generator.id(honouring: request.headers[.xRequestID])
        var context = context
        let attribution = RequestAttribution()
        context.attribution = attribution
        context.logger[metadataKey: "request_id"] = .string(requestID)
        // The router has matched the route before any middleware runs.
        let route = context.endpointPath ?? "unmatched"
        do {
            var response = try await next(request, context)
            response.headers[.xRequestID] = requestID
            log(request, route: route, status: response.status.code, started: started, attribution: attribution, requestID: requestID)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, route: route, status: status, started: started, attribution: attribution, requestID: requestID)
            throw error
        }
    }

    private func log(
        _ request: Request, route: String, status: Int, started: ContinuousClock.Instant, attribution: RequestAttribution,
        requestID: String
    ) {
        let elapsed = (ContinuousClock.now - started).components
        let milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "route": .string(route),
            "status": .stringConvertible(status),
            "duration_ms": .stringConvertible((milliseconds * 1000).rounded() / 1000),
            "request_id": .string(requestID),
        ]
        if let clientID = attribution.clientID { metadata["client_id"] = .string(clientID) }
        logger.info("request", metadata: metadata)
    }
}

/// A request context that can carry a ``RequestAttribution`` (the public and the admin listener's).
protocol AttributedRequestContext: RequestContext {
    var attribution: RequestAttribution? { get set }
}
