import Dispatch
import Synchronization

/// Runs submitted jobs in batches on one serial queue: while a batch is being committed, new jobs
/// wait and then go together in the next one. One fsync then pays for many requests (group commit).
///
/// ```swift
/// let queue = GroupCommitQueue<Int, Int>(label: "demo") { jobs in jobs.map { .success($0 * 2) } }
/// let doubled = try await queue.submit(21)
/// ```
final class GroupCommitQueue<Job: Sendable, Output: Sendable>: Sendable {
    private typealias Waiter = (job: Job, continuation: CheckedContinuation<Output, any Error>)

    private struct State {
        var pending: [Waiter] = []
        var isDraining = false
    }

    private let state = Mutex(State())
    private let queue: DispatchQueue
    /// Commits a batch: one result per job, in order. Runs on the serial queue, so it may block.
    private let commit: @Sendable ([Job]) -> [Result<Output, any Error>]

    init(label: String, commit: @escaping @Sendable ([Job]) -> [Result<Output, any Error>]) {
        self.queue = DispatchQueue(label: label)
        self.commit = commit
    }

    func submit(_ job: Job) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startDraining = state.withLock { state in
                state.pending.append((job, continuation))
                guard !state.isDraining else { return false }
                state.isDraining = true
                return true
            }
            if startDraining {
                queue.async { self.drain() }
            }
        }
    }

    private func drain() {
        while true {
            let batch: [Waiter] = state.withLock { state in
                let batch = state.pending
                state.pending.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.isDraining = false }
                return batch
            }
            if batch.isEmpty { return }
            let results = commit(batch.map(\.job))
            for (waiter, result) in zip(batch, results) {
                waiter.continuation.resume(with: result)
            }
        }
    }
}
