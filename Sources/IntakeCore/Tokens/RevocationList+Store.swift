extension RevocationList {
    /// Revocations read in one statement at most, so that a first load of a long list (900,000
    /// rows) holds one page of rows in memory at a time, not all of them.
    package static let pageSize = 10_000

    /// Reads what `store` holds after ``lastSequence``, a page at a time, and takes it up.
    package func catchUp(with store: any RevocationStore, now: Int64) async throws {
        while true {
            let page = try await store.revocations(after: lastSequence, expiringAfter: Self.loadCutoff(now: now), limit: Self.pageSize)
            merge(page, now: now)
            if page.count < Self.pageSize { return }
        }
    }
}
