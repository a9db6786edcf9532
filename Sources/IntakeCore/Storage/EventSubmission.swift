/// One request's events, stored together (in one transaction) or not at all.
///
/// ```swift
/// let submission = EventSubmission(account: "default", clientID: id, events: [event],
///                                  idempotencyKey: IdempotencyKey(key: "order-1234", fingerprint: digest))
/// ```
package struct EventSubmission: Sendable {
    package var account: String
    package var clientID: String
    package var events: [EventInput]
    package var idempotencyKey: IdempotencyKey?

    package init(account: String, clientID: String, events: [EventInput], idempotencyKey: IdempotencyKey? = nil) {
        self.account = account
        self.clientID = clientID
        self.events = events
        self.idempotencyKey = idempotencyKey
    }

    /// What became of a submission. The receipts are enough to render the answer again, so a
    /// replay is byte-identical to the first answer without the store knowing what an answer is.
    package enum Outcome: Sendable, Hashable {
        /// Newly committed: one receipt per event, in order.
        case stored([CommitReceipt])
        /// The key was seen before with the same request: the first request's receipts, nothing stored.
        case replayed([CommitReceipt])
        /// The key was seen before with a different request.
        case keyReused
    }
}
