import IntakeModel

/// An event as stored, read back.
package struct EventRecord: Sendable, Hashable {
    package var receipt: CommitReceipt
    package var account: String
    package var clientID: String
    package var event: EventInput
    /// The transaction that stored it, where the store pages in commit order (PostgreSQL).
    package var transaction: Int64?

    /// Where a page that ends with this event ends (see ``EventCursor``).
    package var cursor: EventCursor { EventCursor(id: receipt.id, transaction: transaction) }

    package init(receipt: CommitReceipt, account: String, clientID: String, event: EventInput, transaction: Int64? = nil) {
        self.receipt = receipt
        self.transaction = transaction
        self.account = account
        self.clientID = clientID
        self.event = event
    }

    /// An event from the columns both stores keep. A row whose `event_type` is not a known type, or
    /// whose `fields` is not a JSON object, is reported, never skipped or rewritten.
    package init(
        id: Int64, receivedAt: Int64, account: String, clientID: String, eventType: String, eventName: String, sourceID: String,
        fieldsJSON: String, eventID: String?, personID: String?, gaClientID: String?, affiliateID: String?,
        createdAt: Int64, transaction: Int64? = nil
    ) throws(CorruptStoredRow) {
        guard let type = EventType(rawValue: eventType) else {
            throw CorruptStoredRow(table: "events", detail: "event \(id) has an unknown event_type")
        }
        guard case .object(let fields)? = try? JSONValue(parsing: fieldsJSON.utf8) else {
            throw CorruptStoredRow(table: "events", detail: "event \(id) has fields that are not a JSON object")
        }
        self.init(
            receipt: CommitReceipt(id: id, receivedAt: receivedAt), account: account, clientID: clientID,
            event: EventInput(
                eventType: type, eventName: eventName, sourceID: sourceID, fields: fields, eventID: eventID,
                personID: personID, gaClientID: gaClientID, affiliateID: affiliateID, createdAt: createdAt),
            transaction: transaction)
    }
}
