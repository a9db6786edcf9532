import IntakeCore
import Testing

/// When a failed authentication checks the store again: a caller always waits for a check that
/// began after it asked, and callers arriving together share one check.
@Suite struct CoalescedCheckStateTests {
    @Test func theFirstCallerStartsACheckAndWaitsForIt() {
        var state = CoalescedCheckState()
        #expect(state.request() == .start(ticket: 1))
        #expect(state.finished() == (completed: 1, startNext: false))
        #expect(state.request() == .start(ticket: 2))
    }

    @Test func callersArrivingDuringACheckShareTheNextOne() {
        var state = CoalescedCheckState()
        #expect(state.request() == .start(ticket: 1))
        // These arrived after check 1 may have read the version: they need check 2.
        #expect(state.request() == .wait(ticket: 2))
        #expect(state.request() == .wait(ticket: 2))
        #expect(state.request() == .wait(ticket: 2))
        #expect(state.finished() == (completed: 1, startNext: true))
        // Check 2 is running now; a newcomer needs check 3.
        #expect(state.request() == .wait(ticket: 3))
        #expect(state.finished() == (completed: 2, startNext: true))
        #expect(state.finished() == (completed: 3, startNext: false))
        #expect(state.completed == 3)
    }
}
