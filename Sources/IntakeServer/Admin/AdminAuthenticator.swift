import Crypto
import Hummingbird
import IntakeCore

/// Guards the admin API: `Authorization: Bearer <INTAKE_ADMIN_TOKEN>`, or `401`. The presented
/// token is hashed and the digests compared in constant time (swift-crypto's digest equality), so
/// neither its length nor its first wrong byte shows in the timing.
///
/// Failures are throttled per source address (an IPv6 /64 counts as one) with the budget client
/// authentication has (``AuthenticationThrottle``): past it the answer is `429` with
/// `Retry-After`, after a pause, without looking at the token, so guessing runs at a few tries a
/// minute instead of thousands a second. Every failure that is looked at goes to the audit trail
/// as `admin.authentication_failed`, with the source address.
///
/// ```swift
/// let admin = router.group("admin").add(middleware: AdminAuthenticator(token: token, throttle: ThrottleGate(), trail: trail))
/// ```
struct AdminAuthenticator: RouterMiddleware {
    typealias Context = IntakeRequestContext

    /// The one "client id" of the admin API in the throttle's pairs.
    private static let throttleID = "admin"

    private let expected: SHA256Digest
    let throttle: ThrottleGate
    let trail: AuditTrail

    init(token: String, throttle: ThrottleGate, trail: AuditTrail) {
        expected = SHA256.hash(data: Array(token.utf8))
        self.throttle = throttle
        self.trail = trail
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let source = context.peerAddress.accountingPrefix
        let key = AuthenticationThrottle.Key(address: source, clientID: Self.throttleID)
        if let retryAfter = await throttle.refusal(of: key) {
            throw Problem(
                status: .tooManyRequests, type: Problem.typeBase + "throttled",
                detail: "Too many failed admin authentications from this address; retry after \(retryAfter) s",
                headers: [.retryAfter: String(retryAfter)])
        }
        guard presents(request) else {
            let failure = throttle.recordFailure(key)
            await trail.record(
                .adminAuthenticationFailed, subject: source.description, detail: failure.startedThrottling ? "throttled from now" : "")
            throw Self.refusal
        }
        return try await next(request, context)
    }

    private func presents(_ request: Request) -> Bool {
        let values = request.headers[values: .authorization]
        guard values.count == 1, let value = values.first, value.utf8.count > 7, value.prefix(7).lowercased() == "bearer " else {
            return false
        }
        return SHA256.hash(data: Array(value.utf8.dropFirst(7))) == expected
    }

    private static var refusal: Problem {
        Problem(
            status: .unauthorized, type: Problem.typeBase + "unauthorized",
            detail: "The admin API needs Authorization: Bearer with the server's INTAKE_ADMIN_TOKEN",
            headers: [.wwwAuthenticate: #"Bearer realm="intake-admin""#])
    }
}
