import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension TokenProvider {
    /// One token request, retried per ``Configuration/retry`` on `429`, `5xx` and network errors.
    func fetchToken() async throws -> CachedToken {
        try await configuration.retry.run { _ in
            let sentAt = now()
            let response = try await httpClient.execute(tokenRequest(), timeout: .init(configuration.requestTimeout))
            let body = try await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 200:
                return .success(try Self.parseToken(body, sentAt: sentAt))
            default:
                if let retry = AttemptResult<CachedToken>.transientFailure(status: response.status.code, headers: response.headers) {
                    return retry
                }
                throw Self.refusal(status: Int(response.status.code), body: body)
            }
        }
    }

    /// `POST` with `grant_type` in a form body and RFC 7617 Basic credentials (UTF-8, then base64).
    private func tokenRequest() -> HTTPClientRequest {
        var request = HTTPClientRequest(url: environment.tokenURL)
        request.method = .POST
        let basic = Data("\(credentials.clientID):\(credentials.clientSecret)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        var form = "grant_type=client_credentials"
        if let scope, let encoded = scope.addingPercentEncoding(withAllowedCharacters: .formValueAllowed) {
            form += "&scope=" + encoded
        }
        request.body = .bytes(ByteBuffer(string: form))
        return request
    }

    private struct TokenResponse: Decodable {
        var access_token: String
        var token_type: String
        var expires_in: Int?
    }

    static func parseToken(_ body: ByteBuffer, sentAt: ContinuousClock.Instant) throws -> CachedToken {
        guard let response = try? JSONDecoder().decode(TokenResponse.self, from: Data(body.readableBytesView)),
            response.token_type.lowercased() == "bearer", !response.access_token.isEmpty
        else {
            throw IntakeError.unexpectedResponse(status: 200, reason: "the token response is not a bearer token")
        }
        // RFC 6749 §5.1 makes expires_in optional; without it, assume the published 3600 s.
        let lifetime = Duration.seconds(max(1, response.expires_in ?? 3600))
        return CachedToken(value: response.access_token, obtainedAt: sentAt, lifetime: lifetime)
    }

    private struct OAuthErrorBody: Decodable {
        var error: String?
        var error_description: String?
    }

    static func refusal(status: Int, body: ByteBuffer) -> IntakeError {
        let parsed = try? JSONDecoder().decode(OAuthErrorBody.self, from: Data(body.readableBytesView))
        let error = parsed?.error ?? "unknown_error"
        let description = parsed?.error_description ?? "HTTP \(status)"
        if status == 401 || error == "invalid_client" || error == "invalid_grant" {
            return .invalidCredentials(description: description)
        }
        return .tokenRequestRejected(status: status, error: error, description: description)
    }
}

extension CharacterSet {
    /// Unreserved characters: everything else is percent-encoded in a form value.
    static let formValueAllowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}
