import Hummingbird
import IntakeCore
import Logging

/// Outermost middleware: one log line per request, at `info`, and the request in
/// ``RouteMetrics``. The line holds the method, the route template (never the path or query as
/// sent, which may carry anything), the status, the duration, the authenticated client's id and
/// the request id, which is also echoed in `X-Request-Id`. Nothing from the body or the
/// credentials reaches it.
///
/// ```swift
/// router.add(middleware: ObservabilityMiddleware(logger: logger, metrics: RouteMetrics()))
/// ```
struct ObservabilityMiddleware<Context: AttributedRequestContext>: RouterMiddleware {
    let logger: Logger
    let metrics: RouteMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let supplied = request.headers.value(.xRequestID)
        let requestID = RequestIdentifier.id(honouring: supplied, logger: context.logger)
        var context = context
        let attribution = RequestAttribution()
        context.attribution = attribution
        // A made id is Hummingbird's `hb.request.id`, which the request's logger carries already;
        // a supplied one is added, so that whatever a handler logs can be matched to this line.
        if requestID == supplied { context.logger[metadataKey: "request_id"] = .string(requestID) }
        // The router has matched the route before any middleware runs.
        let route = context.endpointPath ?? "unmatched"
        do {
            var response = try await next(request, context)
            response.headers[.xRequestID] = requestID
            observe(request, route: route, status: response.status.code, started: started, attribution: attribution, requestID: requestID)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            observe(request, route: route, status: status, started: started, attribution: attribution, requestID: requestID)
            throw error
        }
    }

    private func observe(
        _ request: Request, route: String, status: Int, started: ContinuousClock.Instant, attribution: RequestAttribution,
        requestID: String
    ) {
        let nanoseconds = (ContinuousClock.now - started).wholeNanoseconds
        metrics.record(route: route, method: request.method, status: status, nanoseconds: nanoseconds)
        logger.info(
            "request",
            metadata: {
                var metadata: Logger.Metadata = [
                    "method": .string(request.method.rawValue),
                    "route": .string(route),
                    "status": .stringConvertible(status),
                    "duration_ms": .stringConvertible(Double(nanoseconds / 1000) / 1000),
                    "request_id": .string(requestID),
                ]
                if let clientID = attribution.clientID { metadata["client_id"] = .string(clientID) }
                return metadata
            }())
    }
}
