import IntakeCore
import Logging
import ServiceLifecycle

/// Forgets what is no longer needed: the throttles' paid-off pairs every interval (once none is
/// left, requests skip the throttle again), and, once an hour, idempotency keys past their
/// retention and revocations whose tokens have expired.
struct HousekeepingService: Service {
    static let purgeInterval: Duration = .seconds(3600)

    /// The client and the admin throttles.
    let throttles: [ThrottleGate]
    let store: any EventStore & RevocationStore
    let interval: Duration
    let logger: Logger

    func run() async {
        let sweepsPerPurge = max(1, Int(Self.purgeInterval / interval))
        await everyInterval(interval) { sweeps in
            for throttle in throttles { throttle.sweep() }
            if (sweeps + 1) % sweepsPerPurge == 0 { await purge() }
        }
    }

    private func purge() async {
        do {
            try await store.purgeIdempotencyKeys(olderThan: UnixTime.now() - IdempotencyKey.retentionSeconds)
            // Past its exp (and the leeway) a token is refused anyway.
            try await store.purgeRevokedTokens(expiredBefore: UnixTime.now() - AccessTokenVerifier.leeway)
        } catch where !Task.isCancelled {
            logger.warning("Could not purge idempotency keys or revoked tokens", metadata: ["error.type": "\(type(of: error))"])
        } catch {
            // Shutdown cancelled the purge: nothing went wrong.
        }
    }
}
