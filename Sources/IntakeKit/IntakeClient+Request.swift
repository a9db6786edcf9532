import AsyncHTTPClient
import Foundation
import IntakeModel
import NIOCore
import NIOHTTP1

extension IntakeClient {
    /// Sends one API request with a bearer token; retries network errors, `429`, `5xx` and one stale
    /// token. The body and idempotency key are the same on every attempt: the body is written with
    /// its object keys sorted, so that equal events give equal bytes and a repeat with the same key
    /// is replayed rather than refused as a different request (the server fingerprints the body).
    func perform(_ method: HTTPMethod, path: String, body: JSONValue?, idempotencyKey: String?) async throws -> ByteBuffer {
        var replayedStaleToken = false
        let bodyBytes = body.map { body in
            var bytes: [UInt8] = []
            body.appendJSON(to: &bytes)
            return ByteBuffer(bytes: bytes)
        }
        return try await configuration.retry.run(onRetry: noteRetry) { _ in
            let token = try await tokens.token()
            var request = HTTPClientRequest(url: environment.apiBaseURL + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
            if let bodyBytes {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(bodyBytes)
            }
            let response = try await httpClient.execute(request, timeout: .init(configuration.requestTimeout))
            let answer = try await response.body.collect(upTo: 64 << 20)
            switch response.status.code {
            case 200...299:
                return .success(answer)
            case 401 where !replayedStaleToken && Self.isInvalidToken(response.headers):
                tokens.invalidate(token)
                replayedStaleToken = true
                return .retryImmediately
            default:
                if let retry = AttemptResult<ByteBuffer>.transientFailure(status: response.status.code, headers: response.headers) {
                    return retry
                }
                throw Self.refusal(status: Int(response.status.code), body: answer)
            }
        }
    }

    private static func isInvalidToken(_ headers: HTTPHeaders) -> Bool {
        headers["WWW-Authenticate"].contains { $0.contains(#"error="invalid_token""#) }
    }

    private struct ProblemBody: Decodable {
        var detail: String?
        var errors: [FieldError]?
    }

    static func refusal(status: Int, body: ByteBuffer) -> IntakeError {
        let problem = try? JSONDecoder().decode(ProblemBody.self, from: Data(body.readableBytesView))
        return .rejected(
            status: status, detail: problem?.detail ?? "HTTP \(status)",
            fieldErrors: (problem?.errors ?? []).map(\.description))
    }
}
