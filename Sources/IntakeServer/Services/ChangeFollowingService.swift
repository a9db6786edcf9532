import IntakeCore
import Logging
import ServiceLifecycle

/// Keeps this instance in step with what other processes change in the database, once per
/// interval: revocations made elsewhere (those numbered after the last one read), the client
/// registry (a client disabled or deleted by the CLI or another instance stops working here within
/// one interval; one created, enabled or given a new secret is accepted at once, see
/// ``ClientRegistry``) and the key set (a rotation signs here within one interval). Each poll reads
/// a few rows at most; what did not change is not rebuilt.
struct ChangeFollowingService: Service {
    let registry: ClientRegistry
    let keys: KeyRing
    let revocations: RevocationList
    let store: any RevocationStore
    let interval: Duration
    let logger: Logger

    func run() async {
        await everyInterval(interval) { _ in
            // Revocations first: they must reach this instance within 5 s even when the other
            // checks wait on a slow database.
            await catchUpWithRevocations()
            await registry.checkForChanges()
            await keys.checkForChanges()
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
}
