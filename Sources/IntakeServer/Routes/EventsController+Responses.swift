import IntakeCore
import IntakeModel

/// The answers of the event routes, written straight into bytes with the one JSON writer.
extension EventsController {
    /// `{"id":…,"received_at":"…"}`
    static func receiptJSON(_ receipt: CommitReceipt) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        appendReceiptMembers(receipt, to: &out)
        JSONWriter.appendObjectEnd(&out)
        return out
    }

    /// `{"stored":n,"failed":m,"results":[{"index":0,"status":201,"id":…}, {"index":1,"status":422,"errors":[…]}]}`
    static func batchJSON(_ results: [Result<EventInput, EventValidator.Failure>], receipts: [CommitReceipt]) -> [UInt8] {
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

    /// `{"events":[…],"next_cursor":"18"|null}`: each event with the names it was sent with, plus
    /// `id` and `received_at`.
    static func pageJSON(_ records: some Collection<EventRecord>, nextCursor: String?) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendKey("events", to: &out)
        out.append(UInt8(ascii: "["))
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            record.appendJSON(to: &out)
        }
        out.append(UInt8(ascii: "]"))
        JSONWriter.appendKey("next_cursor", to: &out)
        if let nextCursor { JSONWriter.appendString(nextCursor, to: &out) } else { out.append(contentsOf: "null".utf8) }
        JSONWriter.appendObjectEnd(&out)
        return out
    }

    private static func appendReceiptMembers(_ receipt: CommitReceipt, to out: inout [UInt8]) {
        JSONWriter.appendMember("id", integer: receipt.id, to: &out)
        JSONWriter.appendMember("received_at", string: Timestamp.format(receipt.receivedAt), to: &out)
    }
}
