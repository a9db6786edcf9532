import IntakeCore
import Synchronization

/// Runs a check of the store on behalf of many waiting requests: each caller of ``run()``
/// returns after a check that began after it called, concurrent callers share checks
/// (``CoalescedCheckState``), and checks start at least `minimumInterval` apart, even when the
/// requests come one after another, so a flood of failing requests costs the database one cheap
/// read per interval, not one per request.
///
/// Checks never overlap, so a slow one cannot finish after a newer one and undo it. Every caller
/// of one instance passes the same operation.
///
/// ```swift
/// let check = CoalescedCheck(minimumInterval: .milliseconds(25))
/// await check.run { await reloadIfChanged() }
/// ```
final class CoalescedCheck: Sendable {
    private struct State {
        var machine = CoalescedCheckState()
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        var lastStart: ContinuousClock.Instant?
    }

    private let minimumInterval: Duration
    private let state = Mutex(State())

    init(minimumInterval: Duration) {
        self.minimumInterval = minimumInterval
    }

    /// Returns after a run of `check` that began after this call.
    func run(_ check: @escaping @Sendable () async -> Void) async {
        await withCheckedContinuation { continuation in
            let start = state.withLock { state in
                let action = state.machine.request()
                state.waiters.append((action.ticket, continuation))
                return action.startsCheck
            }
            // Not a child of the caller: a cancelled request must not stop the check others wait for.
            if start { Task { await self.runChecks(check) } }
        }
    }

    private func runChecks(_ check: @Sendable () async -> Void) async {
        let clock = ContinuousClock()
        while true {
            if let last = state.withLock({ $0.lastStart }) { try? await clock.sleep(until: last + minimumInterval) }
            state.withLock { $0.lastStart = clock.now }
            await check()
            let (ready, startNext) = state.withLock { state in
                let (completed, startNext) = state.machine.finished()
                let ready = state.waiters.filter { $0.ticket <= completed }
                state.waiters.removeAll { $0.ticket <= completed }
                return (ready, startNext)
            }
            for waiter in ready { waiter.continuation.resume() }
            guard startNext else { return }
        }
    }
}
