import IntakeCore
import Testing

/// The budget of failures per (address, client id), without a clock: times are given.
@Suite("AuthenticationThrottle")
struct AuthenticationThrottleTests {
    static let policy = AuthenticationThrottle.Policy(burst: 3, interval: 10_000, capacity: 1000, reportInterval: 60_000)
    static let here = IPAddress("192.0.2.1")!
    static let there = IPAddress("198.51.100.7")!

    static func key(_ address: IPAddress = here, _ client: String = "partner") -> AuthenticationThrottle.Key {
        .init(address: address, clientID: client)
    }

    @Test func aBurstOfFailuresIsAllowedThenRefusedUntilTheDebtIsPaid() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        #expect(throttle.isEmpty)
        #expect(!throttle.recordFailure(Self.key(), now: 0).startedThrottling)
        #expect(!throttle.recordFailure(Self.key(), now: 0).startedThrottling)
        #expect(throttle.admit(Self.key(), now: 0) == .admitted)
        let third = throttle.recordFailure(Self.key(), now: 0)
        #expect(third == .init(startedThrottling: true, shouldReport: true))
        #expect(throttle.admit(Self.key(), now: 0) == .refused(retryAfter: 10))
        #expect(throttle.admit(Self.key(), now: 9_001) == .refused(retryAfter: 1))
        // One failure's worth is paid off after one interval: one more attempt.
        #expect(throttle.admit(Self.key(), now: 10_000) == .admitted)
        #expect(throttle.recordFailure(Self.key(), now: 10_000).startedThrottling)
        #expect(throttle.admit(Self.key(), now: 10_000) == .refused(retryAfter: 10))
        // After the whole debt, the pair is forgotten.
        throttle.sweep(now: 40_000)
        #expect(throttle.isEmpty)
    }

    @Test func otherAddressesAndOtherClientsKeepTheirOwnBudget() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        for _ in 0..<3 { throttle.recordFailure(Self.key(), now: 0) }
        #expect(throttle.admit(Self.key(), now: 0) != .admitted)
        #expect(throttle.admit(Self.key(Self.there), now: 0) == .admitted, "a stranger elsewhere must not lock the partner out")
        #expect(throttle.admit(Self.key(Self.here, "other-client"), now: 0) == .admitted)
    }

    @Test func anEpisodeIsReportedOncePerAddressPerInterval() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        for _ in 0..<3 { throttle.recordFailure(Self.key(Self.here, "a"), now: 0) }
        for _ in 0..<2 { throttle.recordFailure(Self.key(Self.here, "b"), now: 1) }
        #expect(throttle.recordFailure(Self.key(Self.here, "b"), now: 1) == .init(startedThrottling: true, shouldReport: false))
        for _ in 0..<2 { throttle.recordFailure(Self.key(Self.here, "c"), now: 60_000) }
        #expect(throttle.recordFailure(Self.key(Self.here, "c"), now: 60_000).shouldReport)
    }

    /// A flood of random ids and addresses (one failure each) cannot grow the table past its
    /// capacity, and does not push out a pair that is being hammered.
    @Test func memoryIsBoundedUnderAFloodAndTheHammeredPairSurvives() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        for _ in 0..<3 { throttle.recordFailure(Self.key(), now: 0) }
        for index in 0..<50_000 {
            let address = IPAddress(ipv4: (10, UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF)))
            throttle.recordFailure(Self.key(address, "random-\(index)"), now: 1)
            #expect(throttle.count <= Self.policy.capacity)
        }
        #expect(throttle.admit(Self.key(), now: 2) != .admitted)
    }

    /// Many addresses throttled at once: reports stop at capacity, so the report table stays bounded.
    @Test func reportsOfManyAddressesStayBounded() {
        var throttle = AuthenticationThrottle(policy: .init(burst: 1, interval: 10_000, capacity: 10, reportInterval: 60_000))
        var reported = 0
        for index in 0..<50 {
            let address = IPAddress(ipv4: (10, 0, 0, UInt8(index)))
            if throttle.recordFailure(Self.key(address), now: 0).shouldReport { reported += 1 }
        }
        #expect(reported == 10)
        // Once the interval has passed, new reports are possible again.
        #expect(throttle.recordFailure(Self.key(IPAddress(ipv4: (10, 0, 1, 1))), now: 60_000).shouldReport)
    }

    @Test func longClientIDsShareOneBudgetPastTheirFirst128Bytes() {
        let long = String(repeating: "x", count: 128)
        #expect(Self.key(Self.here, long + "a") == Self.key(Self.here, long + "b"))
        #expect(Self.key(Self.here, long).clientID.utf8.count == 128)
    }

    /// Clock jumps to the ends of the range must not trap; a jump back does not unblock a pair.
    @Test func extremeTimesDoNotTrap() {
        var throttle = AuthenticationThrottle(policy: Self.policy)
        for _ in 0..<5 { throttle.recordFailure(Self.key(), now: 1 << 62) }
        #expect(throttle.admit(Self.key(), now: 1 << 62) != .admitted)
        #expect(throttle.admit(Self.key(), now: .min) != .admitted)
        throttle.sweep(now: .min)
        #expect(!throttle.isEmpty)
        for _ in 0..<5 { throttle.recordFailure(Self.key(Self.there), now: .max) }
        _ = throttle.admit(Self.key(Self.there), now: .max)
        throttle.sweep(now: .max)
    }
}
