/// The budget of failed client authentications per (source address, client id), as a state
/// machine without I/O or clocks (RFC 6749 §2.3.1: the endpoint must resist brute force).
///
/// Each pair may fail ``Policy/burst`` times in a row; after that one failure is allowed per
/// ``Policy/interval``, and requests beyond it are refused *before* the secret is checked, so a
/// guesser cannot even learn whether a guess was right. The budget is a GCRA (a token bucket kept
/// as one time per pair: when its debt is paid off). Successes never count. The same client from
/// another address, and other clients from the same address, have budgets of their own, so a
/// stranger can never lock a partner out; and unknown ids are throttled exactly like known ones, so
/// the answers never tell them apart.
///
/// Memory is bounded by ``Policy/capacity`` pairs: pairs whose debt is paid are forgotten first,
/// then the half with the least debt. A flood of random ids (one failure each) is forgotten
/// first; a guesser hammering one client keeps its debt.
///
/// ```swift
/// var throttle = AuthenticationThrottle()
/// if case .refused(let retryAfter) = throttle.admit(key, now: now) { … 429 … }
/// if secretWasWrong, throttle.recordFailure(key, now: now).startedThrottling { … log … }
/// ```
package struct AuthenticationThrottle: Sendable {
    package struct Policy: Sendable, Equatable {
        /// Failures allowed in a row.
        package var burst: Int64
        /// Milliseconds after which one more failure is allowed.
        package var interval: Int64
        /// Pairs remembered at most.
        package var capacity: Int
        /// A throttling episode of one address is reported at most this often (milliseconds).
        package var reportInterval: Int64

        package init(burst: Int64 = 10, interval: Int64 = 6_000, capacity: Int = 100_000, reportInterval: Int64 = 60_000) {
            self.burst = burst
            self.interval = interval
            self.capacity = capacity
            self.reportInterval = reportInterval
        }
    }

    package struct Key: Sendable, Hashable {
        package var address: IPAddress
        package var clientID: String

        /// Client ids are cut to 128 bytes: a longer one is no id of ours, and keys stay small.
        package init(address: IPAddress, clientID: String) {
            self.address = address
            self.clientID = clientID.utf8.count <= 128 ? clientID : String(decoding: clientID.utf8.prefix(128), as: UTF8.self)
        }
    }

    package enum Admission: Sendable, Equatable {
        case admitted
        /// Refused without checking the secret; retry after this many whole seconds.
        case refused(retryAfter: Int64)
    }

    package struct Failure: Sendable, Equatable {
        /// This failure used up the budget: the next request of the pair is refused.
        package var startedThrottling: Bool
        /// And it is the first such start for this address within ``Policy/reportInterval``:
        /// worth a log line and an audit row.
        package var shouldReport: Bool

        package init(startedThrottling: Bool, shouldReport: Bool) {
            self.startedThrottling = startedThrottling
            self.shouldReport = shouldReport
        }
    }

    package let policy: Policy
    /// When each pair's debt is paid off (milliseconds).
    private var paidOffAt: [Key: Int64] = [:]
    private var reportedAt: [IPAddress: Int64] = [:]

    package init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// No pair has a debt: the check can be skipped.
    package var isEmpty: Bool { paidOffAt.isEmpty }

    package var count: Int { paidOffAt.count }

    /// Whether a request of `key` may have its secret checked at `now`.
    package func admit(_ key: Key, now: Int64) -> Admission {
        guard let paidOff = paidOffAt[key] else { return .admitted }
        // Admitted while one more failure fits under the burst.
        let limit = now.saturatingAdding(policy.interval.saturatingMultiplied(by: policy.burst - 1))
        guard paidOff > limit else { return .admitted }
        let waitMilliseconds = paidOff.saturatingSubtracting(limit)
        return .refused(retryAfter: max(1, (waitMilliseconds.saturatingAdding(999)) / 1000))
    }

    /// Records a failed authentication of `key` at `now`.
    @discardableResult
    package mutating func recordFailure(_ key: Key, now: Int64) -> Failure {
        if paidOffAt[key] == nil, paidOffAt.count >= policy.capacity { makeRoom(now: now) }
        let paidOff = max(paidOffAt[key] ?? now, now).saturatingAdding(policy.interval)
        paidOffAt[key] = paidOff
        let started = admit(key, now: now) != .admitted
        var report = false
        if started {
            if reportedAt[key.address] == nil, reportedAt.count >= policy.capacity {
                reportedAt = reportedAt.filter { now.saturatingSubtracting($0.value) < policy.reportInterval }
            }
            if let last = reportedAt[key.address], now.saturatingSubtracting(last) < policy.reportInterval {
                report = false
            } else if reportedAt[key.address] != nil || reportedAt.count < policy.capacity {
                // Past capacity (that many addresses reported within one interval) the rest go unreported.
                reportedAt[key.address] = now
                report = true
            }
        }
        return Failure(startedThrottling: started, shouldReport: report)
    }

    /// Forgets pairs whose debt is paid (their budget is whole again); if that is not enough,
    /// the half with the least debt.
    private mutating func makeRoom(now: Int64) {
        paidOffAt = paidOffAt.filter { $0.value > now }
        guard paidOffAt.count >= policy.capacity else { return }
        let kept = paidOffAt.sorted { $0.value > $1.value }.prefix(policy.capacity / 2)
        paidOffAt = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }

    /// Forgets the pairs whose debt is paid; the server calls it now and then.
    package mutating func sweep(now: Int64) {
        paidOffAt = paidOffAt.filter { $0.value > now }
        reportedAt = reportedAt.filter { now.saturatingSubtracting($0.value) < policy.reportInterval }
    }
}
