import HTTPTypes
import Hummingbird

/// `405` with `Allow` (RFC 9110 §15.5.6) for a method a known path does not take: an OAuth error
/// object on the OAuth endpoints, a problem document elsewhere. Hummingbird answers `404` for
/// those; ``refuseOtherMethods(of:)`` adds the `405`s once every route is in.
struct MethodNotAllowed: HTTPResponseError {
    /// What a path may be asked besides its own methods: the methods NIO's HTTP parser lets
    /// through that a client may send to such a path (QUERY is the draft safe query method).
    static let refusable: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options, .trace, HTTPRequest.Method("QUERY")!]

    var allowed: String
    var status: HTTPResponse.Status { .methodNotAllowed }

    /// For every path the router serves, answers each method of ``refusable`` it does not take.
    static func refuseOtherMethods(of router: Router<some RequestContext>) {
        var methods: [String: Set<HTTPRequest.Method>] = [:]
        var paths: [String: RouterPath] = [:]
        for route in router.routes {
            methods[route.path.description, default: []].insert(route.method)
            paths[route.path.description] = route.path
        }
        for (name, taken) in methods {
            guard let path = paths[name] else { continue }
            let allowed = refusable.filter(taken.contains).map(\.rawValue).joined(separator: ", ")
            // HEAD of a GET path is left to the router, as before: not a method the path refuses.
            for method in refusable where !taken.contains(method) && !(method == .head && taken.contains(.get)) {
                router.on(path, method: method) { _, _ -> Response in throw MethodNotAllowed(allowed: allowed) }
            }
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response =
            if request.uri.path.hasPrefix("/oauth2/") {
                try OAuthError(status: .methodNotAllowed, code: "invalid_request", description: "Use \(allowed)", challenge: false)
                    .response(from: request, context: context)
            } else {
                try Problem(status: .methodNotAllowed, type: "about:blank", detail: "This path takes \(allowed)")
                    .response(from: request, context: context)
            }
        response.headers[.allow] = allowed
        return response
    }
}
