import IntakeCore

extension EventSubmission.Outcome {
    /// The ids listed in a `.stored` response built by ``Fixtures/listIDs(_:)``.
    package var storedIDs: [Int64]? {
        guard case .stored(let response) = self else { return nil }
        return String(decoding: response.body, as: UTF8.self).split(separator: ",").compactMap { Int64($0) }
    }
}
