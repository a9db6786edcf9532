import IntakeCore
import Synchronization

/// The server's ``AuthenticationThrottle``, shared by the token, introspection and revocation
/// endpoints. While no pair has a debt (the normal case) a request costs one atomic load.
///
/// ```swift
/// if case .refused(let seconds) = gate.admit(key) { … 429 … }
/// ```
final class ThrottleGate: Sendable {
    private let throttle: Mutex<AuthenticationThrottle>
    private let hasDebts = Atomic<Bool>(false)

    init(policy: AuthenticationThrottle.Policy = .init()) {
        throttle = Mutex(AuthenticationThrottle(policy: policy))
    }

    /// A throttled request is answered after this pause (at most its `Retry-After`): a flood then
    /// gets one answer per connection per pause, instead of taking the server's time from the
    /// clients that authenticate. A paused request holds only a sleeping task.
    static let refusalPause: Duration = .seconds(1)

    /// Whether any pair may be refused: when false, ``admit(_:)`` is not needed.
    var isIdle: Bool { !hasDebts.load(ordering: .relaxed) }

    func admit(_ key: AuthenticationThrottle.Key, now: Int64 = UnixTime.nowMilliseconds()) -> AuthenticationThrottle.Admission {
        guard !isIdle else { return .admitted }
        return throttle.withLock { $0.admit(key, now: now) }
    }

    /// Nil when `key` may try now; otherwise its `Retry-After` in seconds, returned after
    /// ``refusalPause`` (or the retry time, when shorter).
    func refusal(of key: AuthenticationThrottle.Key) async -> Int64? {
        guard case .refused(let retryAfter) = admit(key) else { return nil }
        try? await Task.sleep(for: min(Self.refusalPause, .seconds(retryAfter)))
        return retryAfter
    }

    func recordFailure(_ key: AuthenticationThrottle.Key, now: Int64 = UnixTime.nowMilliseconds()) -> AuthenticationThrottle.Failure {
        throttle.withLock { throttle in
            let failure = throttle.recordFailure(key, now: now)
            hasDebts.store(true, ordering: .relaxed)
            return failure
        }
    }

    /// Forgets paid-off pairs; once none is left, requests skip the throttle again.
    func sweep(now: Int64 = UnixTime.nowMilliseconds()) {
        throttle.withLock { throttle in
            throttle.sweep(now: now)
            hasDebts.store(!throttle.isEmpty, ordering: .relaxed)
        }
    }
}
