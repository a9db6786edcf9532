import Foundation
import Hummingbird
import IntakeCore

/// RFC 6750 §3 answers of the bearer check.
extension Problem {
    static let realm = "intake"

    /// No token at all: a bare challenge without an error code.
    static let missingToken = Problem(
        status: .unauthorized, type: typeBase + "unauthorized",
        detail: "This endpoint needs an access token: Authorization: Bearer <token>",
        headers: [.wwwAuthenticate: #"Bearer realm="\#(realm)""#])

    static func invalidRequest(_ detail: String) -> Problem {
        bearer(.badRequest, code: "invalid_request", detail: detail)
    }

    static func invalidToken(_ error: AccessTokenError) -> Problem {
        bearer(.unauthorized, code: "invalid_token", detail: error.description)
    }

    static func insufficientScope(_ scope: String) -> Problem {
        bearer(.forbidden, code: "insufficient_scope", detail: "The access token lacks the scope \(scope)", scope: scope)
    }

    private static func bearer(_ status: HTTPResponse.Status, code: String, detail: String, scope: String? = nil) -> Problem {
        var challenge = #"Bearer realm="\#(realm)", error="\#(code)", error_description="\#(detail)""#
        if let scope { challenge += #", scope="\#(scope)""# }
        return Problem(
            status: status, type: typeBase + code.replacingOccurrences(of: "_", with: "-"), detail: detail,
            oauthError: code, headers: [.wwwAuthenticate: challenge])
    }
}
