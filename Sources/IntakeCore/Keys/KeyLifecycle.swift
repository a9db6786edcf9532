/// The life of the keys in a key set, as decisions without I/O: which keys verify now, when a
/// rotated-out key retires, and whether a retirement or a scheduled rotation is due.
///
/// A key is `active` until a rotation makes it `retiring`; it then keeps verifying until every
/// token it signed has expired (the longest token lifetime plus the verifier's leeway) and is
/// `retired` after that. ``KeyManager`` carries the decisions out against a ``SigningKeyStore``.
///
/// ```swift
/// let lifecycle = KeyLifecycle(rotationInterval: 86_400)
/// let due = lifecycle.due(try await store.signingKeys(), now: UnixTime.now())
/// if due.rotation { … }
/// ```
package struct KeyLifecycle: Sendable, Equatable {
    /// Seconds between scheduled rotations; nil rotates only when told to.
    package var rotationInterval: Int64?

    package init(rotationInterval: Int64? = nil) {
        self.rotationInterval = rotationInterval
    }

    package struct Due: Sendable, Equatable {
        /// A retiring key's time is up.
        package var retirement: Bool
        /// The active key is as old as the rotation interval.
        package var rotation: Bool

        package init(retirement: Bool, rotation: Bool) {
            self.retirement = retirement
            self.rotation = rotation
        }
    }

    package func due(_ keys: [StoredSigningKey], now: Int64) -> Due {
        let retirement = keys.contains { $0.status == .retiring && ($0.retiresAt ?? .min) <= now }
        var rotation = false
        if let rotationInterval, let active = keys.first(where: { $0.status == .active }) {
            // The key's age, computed without trapping: an overflow means an age beyond any interval.
            let (age, overflow) = now.subtractingReportingOverflow(active.createdAt)
            rotation = overflow ? now > active.createdAt : age >= rotationInterval
        }
        return Due(retirement: retirement, rotation: rotation)
    }

    /// The time before which a scheduled rotation at `now` only happens if the active key was
    /// created earlier (see ``SigningKeyStore/rotateSigningKey(to:retiringPreviousUntil:activeCreatedBefore:)``).
    package func rotationThreshold(now: Int64) -> Int64? {
        rotationInterval.map { now.saturatingSubtracting($0).saturatingAdding(1) }
    }

    /// Seconds an instance may go on signing with a rotated-out key before it takes up the new
    /// one (it polls every second; a rotation reaches every instance within 5 s).
    package static let propagation: Int64 = 5

    /// When a key rotated out at `now` stops verifying: after the last token any instance can have
    /// signed with it has expired, leeway included.
    package static func retirementTime(rotatedAt now: Int64, longestTokenLifetime: Int64) -> Int64 {
        now.saturatingAdding(propagation).saturatingAdding(longestTokenLifetime).saturatingAdding(AccessTokenVerifier.leeway)
    }

    /// The keys that verify at `now`: the active one, and retiring ones whose time is not up
    /// (even before a store has marked them retired).
    package static func verifying(_ keys: [StoredSigningKey], now: Int64) -> [StoredSigningKey] {
        keys.filter { key in
            switch key.status {
            case .active: true
            case .retiring: (key.retiresAt ?? .min) > now
            case .retired: false
            }
        }
    }
}
