/// What a store keeps with an idempotency key: the fingerprint of the first request and the
/// receipts of the events it stored. Every event of one submission is committed at once, so one
/// arrival time covers them; the ids travel as one column of comma-separated integers.
///
/// ```swift
/// let stored = StoredIdempotencyKey(fingerprint: digest, receipts: receipts)
/// let copy = try StoredIdempotencyKey(fingerprint: digest, eventIDList: stored.eventIDList, receivedAt: stored.receivedAt)
/// ```
package struct StoredIdempotencyKey: Sendable, Hashable {
    package var fingerprint: [UInt8]
    package var receipts: [CommitReceipt]
    /// The arrival time of the events (milliseconds since 1970).
    package var receivedAt: Int64

    package init(fingerprint: [UInt8], receipts: [CommitReceipt], receivedAt: Int64) {
        self.fingerprint = fingerprint
        self.receipts = receipts
        self.receivedAt = receivedAt
    }

    /// Reads the form ``eventIDList`` writes; a list that is not integers is a corrupt row.
    package init(fingerprint: [UInt8], eventIDList: String, receivedAt: Int64) throws(CorruptStoredRow) {
        var receipts: [CommitReceipt] = []
        for part in eventIDList.split(separator: ",") {
            guard let id = Int64(part) else { throw CorruptStoredRow(table: "idempotency_keys", detail: "event_ids is not a list of ids") }
            receipts.append(CommitReceipt(id: id, receivedAt: receivedAt))
        }
        self.init(fingerprint: fingerprint, receipts: receipts, receivedAt: receivedAt)
    }

    /// `17,18,19`; empty for a batch whose events were all refused.
    package var eventIDList: String {
        receipts.map { String($0.id) }.joined(separator: ",")
    }
}
