import HTTPTypes
import Hummingbird

/// `405` with `Allow`, as JSON.
struct MethodNotAllowed: HTTPResponseError {
    var allowed: String
    var status: HTTPResponse.Status { .methodNotAllowed }

    /// Answers every method but POST on `path` with `405`.
    static func refuseOtherMethods(on path: String, of router: Router<IntakeRequestContext>) {
        for method in [HTTPRequest.Method.get, .put, .delete, .patch, .head, .options] {
            router.on(RouterPath(path), method: method) { _, _ -> Response in
                throw MethodNotAllowed(allowed: "POST")
            }
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try OAuthError(
            status: .methodNotAllowed, code: "invalid_request", description: "Use \(allowed)", challenge: false
        ).response(from: request, context: context)
        response.headers[.allow] = allowed
        return response
    }
}
