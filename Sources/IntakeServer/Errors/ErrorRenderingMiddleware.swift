import Hummingbird
import Logging

/// Just inside ``ObservabilityMiddleware``: every error leaves as a JSON answer. Hummingbird's own errors (unknown
/// route, body over a limit) become problem documents with their status; anything unexpected is
/// logged by type only (never with request data) and answered `500`.
struct ErrorRenderingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let detail = error.status == .notFound ? "No route \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            return try Problem(status: error.status, type: "about:blank", detail: detail, headers: error.headers)
                .response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        } catch {
            context.logger.error("Unexpected error", metadata: ["error.type": "\(type(of: error))"])
            return try Problem(status: .internalServerError, type: "about:blank", detail: "Internal error")
                .response(from: request, context: context)
        }
    }
}
