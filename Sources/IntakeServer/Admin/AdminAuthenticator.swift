import Crypto
import Hummingbird

/// Guards the admin API: `Authorization: Bearer <INTAKE_ADMIN_TOKEN>`, or `401`. The presented
/// token is hashed and the digests compared in constant time (swift-crypto's digest equality), so
/// neither its length nor its first wrong byte shows in the timing.
///
/// ```swift
/// let admin = router.group("admin").add(middleware: AdminAuthenticator(token: token))
/// ```
struct AdminAuthenticator<Context: RequestContext>: RouterMiddleware {
    private let expected: SHA256Digest

    init(token: String) {
        expected = SHA256.hash(data: Array(token.utf8))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let values = request.headers[values: .authorization]
        guard values.count == 1, let value = values.first, value.utf8.count > 7,
            value.prefix(7).lowercased() == "bearer "
        else { throw Self.refusal }
        guard SHA256.hash(data: Array(value.utf8.dropFirst(7))) == expected else { throw Self.refusal }
        return try await next(request, context)
    }

    private static var refusal: Problem {
        Problem(
            status: .unauthorized, type: Problem.typeBase + "unauthorized",
            detail: "The admin API needs Authorization: Bearer with the server's INTAKE_ADMIN_TOKEN",
            headers: [.wwwAuthenticate: #"Bearer realm="intake-admin""#])
    }
}
