import IntakeCore

extension EventSubmission.Outcome {
    /// The ids of a `.stored` outcome's events.
    package var storedIDs: [Int64]? {
        guard case .stored(let receipts) = self else { return nil }
        return receipts.map(\.id)
    }

    /// The ids of a `.replayed` outcome's events.
    package var replayedIDs: [Int64]? {
        guard case .replayed(let receipts) = self else { return nil }
        return receipts.map(\.id)
    }
}
