import Foundation
import IntakeCore
import IntakeModel

extension EventsController {
    /// `{"id":…,"received_at":"…"}`
    static func receiptJSON(_ receipt: EventReceipt) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        appendReceiptMembers(receipt, to: &out)
        JSONWriter.appendObjectEnd(&out)
        return out
    }

    /// `{"stored":n,"failed":m,"results":[{"index":0,"status":201,"id":…}, {"index":1,"status":422,"errors":[…]}]}`
    static func batchJSON(_ results: [Result<EventInput, EventValidator.Failure>], receipts: [EventReceipt]) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("stored", integer: Int64(receipts.count), to: &out)
        JSONWriter.appendMember("failed", integer: Int64(results.count - receipts.count), to: &out)
        JSONWriter.appendKey("results", to: &out)
        out.append(UInt8(ascii: "["))
        var nextReceipt = receipts.makeIterator()
        for (index, result) in results.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendObjectStart(&out)
            JSONWriter.appendMember("index", integer: Int64(index), to: &out)
            switch result {
            case .success:
                JSONWriter.appendMember("status", integer: 201, to: &out)
                if let receipt = nextReceipt.next() {
                    appendReceiptMembers(receipt, to: &out)
                }
            case .failure(let failure):
                JSONWriter.appendMember("status", integer: 422, to: &out)
                Problem.appendErrors(failure.problems, to: &out)
            }
            JSONWriter.appendObjectEnd(&out)
        }
        out.append(UInt8(ascii: "]"))
        JSONWriter.appendObjectEnd(&out)
        return out
    }

    private static func appendReceiptMembers(_ receipt: EventReceipt, to out: inout [UInt8]) {
        JSONWriter.appendMember("id", integer: receipt.id, to: &out)
        JSONWriter.appendMember("received_at", string: Timestamp.format(receipt.receivedAt), to: &out)
    }
}

/// One page of `GET /v2/events`.
struct EventPage: Encodable {
    var events: [EventRepresentation]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case events
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// An event as read back: the names it was sent with, plus `id` and `received_at`.
struct EventRepresentation: Encodable {
    var stored: StoredEvent

    init(_ stored: StoredEvent) {
        self.stored = stored
    }

    private enum ReceiptKeys: String, CodingKey {
        case id
        case receivedAt = "received_at"
    }

    func encode(to encoder: any Encoder) throws {
        let event = stored.event
        var receipt = encoder.container(keyedBy: ReceiptKeys.self)
        try receipt.encode(stored.receipt.id, forKey: .id)
        var body = encoder.container(keyedBy: EventFieldName.self)
        try body.encode(event.eventType, forKey: .eventType)
        try body.encode(event.eventName, forKey: .eventName)
        try body.encode(event.sourceID, forKey: .sourceID)
        try body.encode(event.fields, forKey: .fields)
        try body.encodeIfPresent(event.eventID, forKey: .eventID)
        try body.encodeIfPresent(event.personID, forKey: .personID)
        try body.encodeIfPresent(event.gaClientID, forKey: .gaClientID)
        try body.encodeIfPresent(event.affiliateID, forKey: .affiliateID)
        try body.encode(Timestamp.format(event.createdAt), forKey: .createdAt)
        try receipt.encode(Timestamp.format(stored.receipt.receivedAt), forKey: .receivedAt)
    }
}

extension JSONEncoder {
    static var events: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
