import Synchronization

/// A time that moves only when a test says so, for ``TokenProvider``'s `now`.
///
/// ```swift
/// let time = ManualTime()
/// let tokens = TokenProvider(…, now: time.now)
/// time.advance(by: .seconds(34))
/// ```
final class ManualTime: Sendable {
    private let current = Mutex(ContinuousClock.now)

    var now: @Sendable () -> ContinuousClock.Instant { { self.current.withLock { $0 } } }

    func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }
}
