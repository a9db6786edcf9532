import Foundation
import NIOHTTP1

/// How failed requests are retried: exponential backoff with full jitter (each wait is random in
/// `0...min(maximumDelay, initialDelay * 2^attempt)`), a bounded number of attempts and a bounded
/// total time. A `Retry-After` from a `429` or `503` is honoured (capped by the remaining budget).
///
/// ```swift
/// let patient = RetryPolicy(maximumAttempts: 100, maximumTotalTime: .seconds(60))
/// ```
public struct RetryPolicy: Sendable, Hashable {
    public var maximumAttempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var maximumTotalTime: Duration

    public init(
        maximumAttempts: Int = 5,
        initialDelay: Duration = .milliseconds(100),
        maximumDelay: Duration = .seconds(5),
        maximumTotalTime: Duration = .seconds(30)
    ) {
        self.maximumAttempts = maximumAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maximumTotalTime = maximumTotalTime
    }

    /// The pause before retry number `attempt` (1-based), or nil when the budget is spent.
    func delay(beforeAttempt attempt: Int, elapsed: Duration, retryAfter: Duration?) -> Duration? {
        guard attempt < maximumAttempts, elapsed < maximumTotalTime else { return nil }
        let remaining = maximumTotalTime - elapsed
        if let retryAfter {
            return retryAfter <= remaining ? retryAfter : nil
        }
        let ceiling = min(maximumDelay, initialDelay * (1 << min(attempt - 1, 20)))
        let jittered = ceiling * Double.random(in: 0...1)
        return min(jittered, remaining)
    }

    /// Seconds from a `Retry-After` header in its delay-seconds form; HTTP dates are not used.
    static func retryAfter(_ header: String?) -> Duration? {
        guard let header, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(min(seconds, 3600))
    }
}

/// What one attempt of a request came to, for ``RetryPolicy/run(onRetry:_:)``.
enum AttemptResult<Value: Sendable> {
    case success(Value)
    /// Worth another try after the policy's pause (or `retryAfter`).
    case retry(failure: String, retryAfter: Duration?)
    /// Worth another try at once (e.g. with a fresh token).
    case retryImmediately

    /// `.retry` for an answer worth another attempt (`429` and `503` with their `Retry-After`, other
    /// `5xx` after a backoff); nil for any other status.
    static func transientFailure(status: UInt, headers: HTTPHeaders) -> AttemptResult? {
        switch status {
        case 429, 503:
            return .retry(failure: "HTTP \(status)", retryAfter: RetryPolicy.retryAfter(headers.first(name: "Retry-After")))
        case 500...599:
            return .retry(failure: "HTTP \(status)", retryAfter: nil)
        default:
            return nil
        }
    }
}

extension RetryPolicy {
    /// Runs `attempt` until it succeeds, throws, or the policy gives up with
    /// ``IntakeError/Code/unavailable``. Network errors are retried; an
    /// ``IntakeError`` or a cancellation ends it at once.
    func run<Value: Sendable>(
        onRetry: () -> Void = {}, _ attempt: (_ number: Int) async throws -> AttemptResult<Value>
    ) async throws -> Value {
        let started = ContinuousClock.now
        var number = 0
        while true {
            number += 1
            let failure: String
            var retryAfter: Duration?
            do {
                switch try await attempt(number) {
                case .success(let value):
                    return value
                case .retryImmediately:
                    onRetry()
                    continue
                case .retry(let reason, let after):
                    (failure, retryAfter) = (reason, after)
                }
            } catch let error as IntakeError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = String(describing: type(of: error))
            }
            guard let pause = delay(beforeAttempt: number, elapsed: ContinuousClock.now - started, retryAfter: retryAfter)
            else {
                throw IntakeError.unavailable(attempts: number, lastFailure: failure)
            }
            onRetry()
            try await Task.sleep(for: pause)
        }
    }
}
