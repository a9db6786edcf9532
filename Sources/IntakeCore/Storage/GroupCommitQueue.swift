import CoreMetrics
import Synchronization

/// Commits submitted jobs in batches: while one batch is being committed, new jobs wait, then go
/// together in the next one, so one fsync (or one database round trip) pays for many requests —
/// group commit. Up to `concurrency` batches are committed at once (one for a database with a
/// single writer; more where commits can overlap, so that a batch's round trips do not hold up
/// the next one), each taking what waits when it starts. Each batch's size and
/// commit time go to swift-metrics (`intake_group_commit_batch_size`,
/// `intake_group_commit_duration_seconds`), labelled with the queue's `database`.
///
/// ```swift
/// let queue = GroupCommitQueue<Int, Int>(database: "memory") { jobs in jobs.map { .success($0 * 2) } }
/// let doubled = try await queue.submit(21)
/// ```
package final class GroupCommitQueue<Job: Sendable, Output: Sendable>: Sendable {
    // A struct, not a tuple: unspecialized generic code looks tuple metadata up under a lock on
    // every use. With the unsafe continuation and no `zip` below, the queue's share of an event
    // post fell from 4.6 to 2.8 µs (`scripts/profile.sh event`).
    private struct Waiter {
        let job: Job
        // Unsafe, not checked: each is resumed exactly once, by the drain loop below, and the
        // checked kind allocates a box per request.
        let continuation: UnsafeContinuation<Output, any Error>
    }

    /// The answer to a job its commit returned no result for.
    private struct MissingResult: Error {}

    private struct State {
        var pending: [Waiter] = []
        /// Tasks taking batches now, at most `concurrency`.
        var drainers = 0
    }

    private let state = Mutex(State())
    /// Commits a batch: one result per job, in order.
    private let commit: @Sendable ([Job]) async -> [Result<Output, any Error>]
    private let batchSize: Recorder
    private let commitDuration: CoreMetrics.Timer
    private let concurrency: Int

    /// `database` labels the metrics (`sqlite`, `postgres`); `concurrency` is how many batches
    /// may be committed at once.
    package init(
        database: String, concurrency: Int = 1, commit: @escaping @Sendable ([Job]) async -> [Result<Output, any Error>]
    ) {
        self.commit = commit
        self.concurrency = max(1, concurrency)
        self.batchSize = Recorder(label: "intake_group_commit_batch_size", dimensions: [("database", database)], aggregate: true)
        self.commitDuration = CoreMetrics.Timer(label: "intake_group_commit_duration_seconds", dimensions: [("database", database)])
    }

    /// Waits until `job` has been committed with a batch, and returns its result.
    package func submit(_ job: Job) async throws -> Output {
        try await withUnsafeThrowingContinuation { continuation in
            let startDraining = state.withLock { state in
                state.pending.append(Waiter(job: job, continuation: continuation))
                guard state.drainers < concurrency else { return false }
                state.drainers += 1
                return true
            }
            if startDraining {
                // Not a child of the submitter: a cancelled request must not stop others' commit.
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while true {
            let batch: [Waiter] = state.withLock { state in
                let batch = state.pending
                state.pending.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.drainers -= 1 }
                return batch
            }
            if batch.isEmpty { return }
            let started = ContinuousClock.now
            // A closure, not `\.job`: a key path into a generic type is instantiated at run time on
            // every call (about 1 µs of each request here, `scripts/profile.sh event`).
            let results = await commit(batch.map { $0.job })
            commitDuration.recordNanoseconds((ContinuousClock.now - started).wholeNanoseconds)
            batchSize.record(batch.count)
            assert(results.count == batch.count, "A commit returns one result per job")
            for index in batch.indices {
                // Even a commit that broke its contract leaves no request waiting forever.
                batch[index].continuation.resume(with: index < results.count ? results[index] : .failure(MissingResult()))
            }
        }
    }
}
