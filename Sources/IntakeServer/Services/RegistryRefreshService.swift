import IntakeCore
import Logging
import ServiceLifecycle

/// Keeps the client registry and the key ring in step with the database, so that a client
/// disabled or deleted by the CLI or another instance stops working here within one poll interval
/// (a client created, enabled or given a new secret is accepted at once: see ``ClientRegistry``),
/// and a rotated key signs here within one interval too. A poll reads one integer and the few rows
/// of the key set; each is rebuilt only when it changed. It also forgets idempotency keys past
/// their retention, once an hour. Revocations made by other instances are taken up the same way
/// (those numbered after the last one read), and the throttles forget paid-off pairs.
struct RegistryRefreshService: Service {
    let registry: ClientRegistry
    let keys: KeyRing
    let revocations: RevocationList
    /// The client and the admin throttles.
    let throttles: [ThrottleGate]
    let store: any EventStore & RevocationStore
    let interval: Duration
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            var polls = 0
            let pollsPerPurge = max(1, Int(Duration.seconds(3600) / interval))
            while !Task.isCancelled {
                // Graceful shutdown cancels this task mid-sleep; that is the normal way out, not a
                // failure (thrown, it would fail the service group and `intake serve` would exit 1
                // printing CancellationError).
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                // Revocations first: they must reach this instance within 5 s even when the other
                // checks wait on a slow database.
                await catchUpWithRevocations()
                await registry.checkForChanges()
                await keys.checkForChanges()
                for throttle in throttles { throttle.sweep() }
                polls += 1
                if polls % pollsPerPurge == 0 { await purge() }
            }
        }
    }

    /// Reads the revocations stored since the last one seen (usually none: one index probe), and
    /// forgets those whose tokens have expired. A failed read is retried at the next poll from
    /// where it stopped, so nothing is skipped.
    private func catchUpWithRevocations() async {
        let (store, revocations) = (self.store, self.revocations)
        do {
            try await withDeadline(ClientRegistry.checkTimeout) {
                let now = UnixTime.now()
                try await revocations.catchUp(with: store, now: now)
                revocations.sweep(now: now)
            }
        } catch where !Task.isCancelled {
            logger.warning("Could not read new revocations", metadata: ["error.type": "\(type(of: error))"])
        } catch {
            // Shutdown cancelled the read: nothing went wrong.
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
