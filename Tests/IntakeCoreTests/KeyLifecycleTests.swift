import IntakeCore
import Testing

/// The life of keys as pure decisions: no store, no clock.
@Suite("KeyLifecycle")
struct KeyLifecycleTests {
    static func key(_ id: String, _ status: KeyStatus, created: Int64 = 0, retiresAt: Int64? = nil) -> StoredSigningKey {
        StoredSigningKey(id: id, algorithm: .es256, status: status, createdAt: created, retiresAt: retiresAt, material: [0])
    }

    @Test func aRetiringKeyVerifiesUntilItsTimeAndNotAfter() {
        let keys = [Self.key("new", .active), Self.key("old", .retiring, retiresAt: 100), Self.key("gone", .retired)]
        #expect(KeyLifecycle.verifying(keys, now: 99).map(\.id) == ["new", "old"])
        #expect(KeyLifecycle.verifying(keys, now: 100).map(\.id) == ["new"])
        #expect(KeyLifecycle().due(keys, now: 99) == .init(retirement: false, rotation: false))
        #expect(KeyLifecycle().due(keys, now: 100) == .init(retirement: true, rotation: false))
    }

    @Test func aScheduledRotationIsDueOnceTheActiveKeyIsAnIntervalOld() {
        let lifecycle = KeyLifecycle(rotationInterval: 1000)
        let keys = [Self.key("k", .active, created: 5000)]
        #expect(!lifecycle.due(keys, now: 5999).rotation)
        #expect(lifecycle.due(keys, now: 6000).rotation)
        #expect(!KeyLifecycle().due(keys, now: .max).rotation, "no schedule, no rotation")
        // The store rotates only if the active key is older than this: a key made by a sibling
        // racing the same schedule is new enough.
        #expect(lifecycle.rotationThreshold(now: 6000) == 5001)
    }

    @Test func retirementWaitsForTheLongestLifetimePlusLeewayAndSaturates() {
        #expect(
            KeyLifecycle.retirementTime(rotatedAt: 1000, longestTokenLifetime: 3600)
                == 1000 + KeyLifecycle.propagation + 3600 + AccessTokenVerifier.leeway)
        #expect(KeyLifecycle.retirementTime(rotatedAt: .max - 5, longestTokenLifetime: 3600) == .max)
        // Ages that overflow are compared without trapping.
        #expect(!KeyLifecycle(rotationInterval: .max).due([Self.key("k", .active, created: .min)], now: .min).rotation)
        #expect(KeyLifecycle(rotationInterval: .max - 1).due([Self.key("k", .active, created: .min)], now: .max).rotation)
        #expect(!KeyLifecycle(rotationInterval: 10).due([Self.key("k", .active, created: .max)], now: .min).rotation)
    }
}
