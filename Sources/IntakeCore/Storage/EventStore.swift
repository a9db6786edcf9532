/// Durable, idempotent storage of events. One implementation per database, doing I/O only: what a
/// repeated key means is decided by ``IdempotencyPlan``, what an answer looks like by the HTTP layer.
///
/// A call returns only once its events are committed to disk; concurrent calls share commits.
///
/// ```swift
/// let outcome = try await store.store(EventSubmission(account: "default", clientID: id, events: [event]))
/// if case .stored(let receipts) = outcome { print(receipts[0].id) }
/// ```
package protocol EventStore: Sendable {
    func store(_ submission: EventSubmission) async throws -> EventSubmission.Outcome
    /// One page of `query.account`'s events, oldest first: at most `query.limit` events, ending
    /// early after the event that takes their size past `query.maximumBytes`, so one read costs
    /// bounded memory whatever the events weigh. Throws ``CorruptStoredRow`` for a row that cannot
    /// be read back, rather than skipping or rewriting it.
    func eventPage(_ query: EventPageQuery) async throws -> EventRecordPage
    /// Forgets idempotency keys first seen before `cutoff` (seconds since 1970).
    func purgeIdempotencyKeys(olderThan cutoff: Int64) async throws
    /// Deletes, among the `limit` events of lowest id, those that arrived before `cutoff`
    /// (milliseconds since 1970), and returns how many it deleted. Ids follow arrival, so the
    /// oldest events are there: this reads `limit` rows of the primary key and needs no index on
    /// `received_at`, which every insert would pay for. An event stamped by a clock running ahead
    /// stays until its own time, without holding back the ones after it; one stamped by a clock
    /// running behind waits until the events before it have gone.
    func deleteEvents(receivedBefore cutoff: Int64, limit: Int) async throws -> Int
}
