extension GroupCommitQueue {
    /// The one failure policy of both stores: a batch is committed in one transaction; should that
    /// fail (a constraint, a disk error, a broken connection), each job is committed again on its
    /// own, so a failure stays with the request that caused it and the others still commit.
    ///
    /// ```swift
    /// let queue = GroupCommitQueue<Int, Int>(database: "memory") { jobs in
    ///     await GroupCommitQueue.commitIsolatingFailures(jobs) { batch in batch.map { $0 * 2 } }
    /// }
    /// ```
    package static func commitIsolatingFailures(
        _ jobs: [Job], _ commit: ([Job]) async throws -> [Output]
    ) async -> [Result<Output, any Error>] {
        do {
            return try await commit(jobs).map { .success($0) }
        } catch {
            guard jobs.count > 1 else { return [.failure(error)] }
            var results: [Result<Output, any Error>] = []
            results.reserveCapacity(jobs.count)
            for job in jobs {
                do {
                    results += try await commit([job]).map { .success($0) }
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }
}
