import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension IntakeClient {
    /// Sends one API request with a bearer token; retries network errors, `429`, `5xx` and one stale
    /// token. The body and idempotency key are the same on every attempt.
    func perform(_ method: HTTPMethod, path: String, body: Data?, idempotencyKey: String?) async throws -> ByteBuffer {
        let started = ContinuousClock.now
        var attempt = 0
        var replayedStaleToken = false
        var lastFailure = ""
        while true {
            attempt += 1
            let token = try await tokens.token()
            var request = HTTPClientRequest(url: environment.apiBaseURL + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            var retryAfter: Duration?
            do {
                let response = try await httpClient.execute(request, timeout: .init(configuration.requestTimeout))
                let answer = try await response.body.collect(upTo: 64 << 20)
                switch response.status.code {
                case 200...299:
                    return answer
                case 401 where !replayedStaleToken && Self.isInvalidToken(response.headers):
                    tokens.invalidate(token)
                    replayedStaleToken = true
                    noteRetry()
                    continue
                case 429, 503:
                    retryAfter = RetryPolicy.retryAfter(response.headers.first(name: "Retry-After"))
                    lastFailure = "HTTP \(response.status.code)"
                case 500...599:
                    lastFailure = "HTTP \(response.status.code)"
                default:
                    throw Self.refusal(status: Int(response.status.code), body: answer)
                }
            } catch let error as IntakeError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastFailure = String(describing: type(of: error))
            }
            guard let delay = configuration.retry.delay(
                beforeAttempt: attempt, elapsed: ContinuousClock.now - started, retryAfter: retryAfter)
            else {
                throw IntakeError.unavailable(attempts: attempt, lastFailure: lastFailure)
            }
            noteRetry()
            try await Task.sleep(for: delay)
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
