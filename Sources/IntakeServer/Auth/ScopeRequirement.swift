import Hummingbird
import IntakeCore

/// Lets a request through only when its access token carries `scope` and its client still holds
/// it; otherwise `403 insufficient_scope` (RFC 6750 §3.1). Runs after ``BearerAuthenticator``.
///
/// ```swift
/// v2.group().add(middleware: ScopeRequirement(ScopeSet.eventsWrite)).post("event") { request, context in … }
/// ```
struct ScopeRequirement: RouterMiddleware {
    typealias Context = IntakeRequestContext

    let scope: String

    init(_ scope: String) {
        self.scope = scope
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard try context.requireIdentity().grants(scope) else {
            throw Problem.insufficientScope(scope)
        }
        return try await next(request, context)
    }
}
