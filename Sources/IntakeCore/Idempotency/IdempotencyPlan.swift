/// What one group commit must do with its submissions, decided before anything is written: which
/// are new, which repeat a key already stored (with the same request, or with another), and which
/// repeat a key that an earlier submission of the same group brings.
///
/// Both stores use it, so they give the same answers: the stores look the keys up, insert what the
/// plan calls fresh, and hand the receipts back for the plan to turn into outcomes.
///
/// ```swift
/// let plan = IdempotencyPlan(submissions, stored: keysFoundInTheDatabase)
/// let receipts = plan.receipts(forInsertedIDs: ids, receivedAt: now)   // ids of the fresh submissions' events, in order
/// let outcomes = plan.outcomes(receipts: receipts)
/// ```
package struct IdempotencyPlan: Sendable, Hashable {
    package enum Decision: Sendable, Hashable {
        /// Store its events (and its key, if any).
        case fresh
        /// The key is stored with this request's fingerprint: answer with these receipts.
        case replay([CommitReceipt])
        /// The key is stored, or earlier in the group, with another request.
        case keyReused
        /// The same key and request as the fresh submission at this index of the group.
        case sameAs(Int)
    }

    package let decisions: [Decision]
    /// Indices of the ``Decision/fresh`` submissions, in order.
    package let freshIndices: [Int]
    private let eventCounts: [Int]

    package init(_ submissions: [EventSubmission], stored: [IdempotencyKeyReference: StoredIdempotencyKey]) {
        var decisions: [Decision] = []
        var firstWithKey: [IdempotencyKeyReference: Int] = [:]
        var fresh: [Int] = []
        for (index, submission) in submissions.enumerated() {
            guard let key = submission.idempotencyKey else {
                decisions.append(.fresh)
                fresh.append(index)
                continue
            }
            let reference = IdempotencyKeyReference(clientID: submission.clientID, key: key.key)
            if let found = stored[reference] {
                decisions.append(found.fingerprint == key.fingerprint ? .replay(found.receipts) : .keyReused)
            } else if let first = firstWithKey[reference] {
                decisions.append(submissions[first].idempotencyKey?.fingerprint == key.fingerprint ? .sameAs(first) : .keyReused)
            } else {
                firstWithKey[reference] = index
                decisions.append(.fresh)
                fresh.append(index)
            }
        }
        self.decisions = decisions
        self.freshIndices = fresh
        self.eventCounts = submissions.map(\.events.count)
    }

    /// The keys a store must look up for `submissions`.
    package static func references(_ submissions: [EventSubmission]) -> [IdempotencyKeyReference] {
        submissions.compactMap { submission in
            submission.idempotencyKey.map { IdempotencyKeyReference(clientID: submission.clientID, key: $0.key) }
        }
    }

    /// Splits the ids of one insert of every fresh submission's events (in order) into receipts per
    /// submission index. Ids past the end (there are none when the insert went well) are ignored;
    /// missing ones leave a submission short, which ``outcomes(receipts:)`` reports as it is.
    package func receipts(forInsertedIDs ids: [Int64], receivedAt: Int64) -> [Int: [CommitReceipt]] {
        var next = ids.makeIterator()
        var receipts: [Int: [CommitReceipt]] = [:]
        for index in freshIndices {
            receipts[index] = (0..<eventCounts[index]).compactMap { _ in
                next.next().map { CommitReceipt(id: $0, receivedAt: receivedAt) }
            }
        }
        return receipts
    }

    /// The keys to remember once the fresh submissions' events are inserted: each key a fresh
    /// submission brings, with the fingerprint of its request and the receipts of its events.
    package func keysToStore(
        _ submissions: [EventSubmission], receipts: [Int: [CommitReceipt]], receivedAt: Int64
    ) -> [(reference: IdempotencyKeyReference, stored: StoredIdempotencyKey)] {
        freshIndices.compactMap { index in
            submissions[index].idempotencyKey.map { key in
                (IdempotencyKeyReference(clientID: submissions[index].clientID, key: key.key),
                 StoredIdempotencyKey(fingerprint: key.fingerprint, receipts: receipts[index] ?? [], receivedAt: receivedAt))
            }
        }
    }

    /// One outcome per submission, given the receipts of the fresh ones.
    package func outcomes(receipts: [Int: [CommitReceipt]]) -> [EventSubmission.Outcome] {
        decisions.indices.map { index in
            switch decisions[index] {
            case .fresh: .stored(receipts[index] ?? [])
            case .sameAs(let first): .replayed(receipts[first] ?? [])
            case .replay(let stored): .replayed(stored)
            case .keyReused: .keyReused
            }
        }
    }
}
