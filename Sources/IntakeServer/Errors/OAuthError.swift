import HTTPTypes
import Hummingbird
import IntakeCore
import IntakeModel

/// An error answer of the token endpoint (RFC 6749 §5.2), in the published byte form:
/// `{"error": "…", "error_description": "…"}`, `application/json;charset=UTF-8`, never cached.
struct OAuthError: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var description: String
    var challenge: Bool
    /// Sent with `Connection: close`: for answers given before the body was read whole.
    var closesConnection = false
    /// Seconds for `Retry-After`.
    var retryAfter: Int64?

    var closingConnection: OAuthError {
        var error = self
        error.closesConnection = true
        return error
    }

    /// The one answer to an unknown client, a wrong secret and a disabled client (the published answer).
    static let invalidCredentials = OAuthError(
        status: .unauthorized, code: "invalid_grant", description: "Invalid credentials", challenge: true)

    /// Past the budget of failed authentications of one (address, client id): refused before the
    /// secret is looked at. `slow_down` is the token endpoint's code for "too fast" (RFC 8628 §3.5).
    static func throttled(retryAfter: Int64) -> OAuthError {
        OAuthError(
            status: .tooManyRequests, code: "slow_down",
            description: "Too many failed client authentications; retry after \(retryAfter) s", challenge: false,
            retryAfter: retryAfter)
    }

    static func invalidRequest(_ description: String) -> OAuthError {
        OAuthError(status: .badRequest, code: "invalid_request", description: description, challenge: false)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = Array(#"{"error": "#.utf8)
        JSONWriter.appendString(code, to: &body)
        body.append(contentsOf: #", "error_description": "#.utf8)
        JSONWriter.appendString(description, to: &body)
        JSONWriter.appendObjectEnd(&body)
        var headers = TokenResponseHeaders.fields
        if challenge {
            headers[.wwwAuthenticate] = #"Basic realm="intake", charset="UTF-8""#
        }
        if closesConnection { headers[.connection] = "close" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Headers on every token endpoint answer, success or error (RFC 6749 §5.1 and the published API).
enum TokenResponseHeaders {
    static let fields: HTTPFields = [
        .contentType: "application/json;charset=UTF-8",
        .cacheControl: "no-store",
        .pragma: "no-cache",
    ]
}

extension HTTPField.Name {
    static let pragma = HTTPField.Name("Pragma")!
}
