/// When to read the store again, as a state machine without I/O.
///
/// A caller whose credentials the in-memory registry refused may have just been created, enabled
/// or given a new secret by another process (or a token may name a key another instance has just
/// made), so it asks for a check of the store. The check it waits for must *begin after* it asked:
/// one already running may have read the store before the change. So at most one check runs;
/// callers that arrive while it runs share the next one; and callers arriving while nothing runs
/// start one. However many requests fail at once, the store sees one check at a time (the runner
/// also spaces them, see `CoalescedCheck` in the server).
///
/// ```swift
/// var state = CoalescedCheckState()
/// state.request()    // .start(ticket: 1): run a check; wait until check 1 has finished
/// state.request()    // .wait(ticket: 2): check 1 began too early for this caller
/// state.finished()   // (completed: 1, startNext: true)
/// state.finished()   // (completed: 2, startNext: false)
/// ```
package struct CoalescedCheckState: Sendable, Hashable {
    package enum Action: Sendable, Hashable {
        /// Start a check now; the caller's wait ends when check number `ticket` has finished.
        case start(ticket: UInt64)
        /// A check is running; the caller's wait ends when check number `ticket` has finished.
        case wait(ticket: UInt64)

        /// The check whose end the caller waits for.
        package var ticket: UInt64 {
            switch self {
            case .start(let ticket), .wait(let ticket): ticket
            }
        }

        package var startsCheck: Bool {
            if case .start = self { true } else { false }
        }
    }

    /// Checks finished so far.
    package private(set) var completed: UInt64 = 0
    private var isRunning = false
    private var isNextWanted = false

    package init() {}

    /// A caller needs a check that begins after now.
    package mutating func request() -> Action {
        guard isRunning else {
            isRunning = true
            return .start(ticket: completed + 1)
        }
        isNextWanted = true
        return .wait(ticket: completed + 2)
    }

    /// The running check ended; `startNext` when callers arrived while it ran (the runner goes on
    /// with the next check at once).
    package mutating func finished() -> (completed: UInt64, startNext: Bool) {
        completed += 1
        if isNextWanted {
            isNextWanted = false
            return (completed, true)
        }
        isRunning = false
        return (completed, false)
    }
}
