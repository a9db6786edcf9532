import CoreMetrics
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import IntakeCore
import IntakeModel

extension EventsController {
    /// The raw body and its JSON, or the 4xx that says what is wrong.
    func readJSON(_ request: Request) async throws -> (ByteBuffer, JSONValue) {
        if let contentType = request.headers.value(.contentType) {
            let mediaType = MediaType.essence(of: contentType)
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else { throw Problem.notJSON }
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maximumBodySize)
        } catch {
            throw Problem.tooLarge(limit: maximumBodySize)
        }
        do {
            return (body, try JSONValue(parsing: body.readableBytesView))
        } catch {
            throw Problem.badRequest("The request body is not valid JSON")
        }
    }

    /// The read-back query of `GET /v2/events`, or a `400` naming every bad parameter.
    static func pageQuery(_ parameters: Parameters, account: String) throws -> EventPageQuery {
        var problems: [FieldProblem] = []
        var query = EventPageQuery(account: account)
        if let after = parameters["after"] {
            if let cursor = EventCursor(String(after)) { query.after = cursor } else {
                problems.append(FieldProblem(field: "after", detail: "must be a cursor from next_cursor"))
            }
        }
        if let limit = parameters["limit"] {
            if let value = Int(limit), (1...EventPageQuery.maximumLimit).contains(value) { query.limit = value } else {
                problems.append(FieldProblem(field: "limit", detail: "must be a whole number from 1 to \(EventPageQuery.maximumLimit)"))
            }
        }
        if let sourceID = parameters["source_id"] {
            // PostgreSQL text cannot hold NUL, and no stored source_id contains one.
            if sourceID.utf8.contains(0) {
                problems.append(FieldProblem(field: "source_id", detail: "must not contain NUL characters"))
            } else {
                query.sourceID = String(sourceID)
            }
        }
        if let eventType = parameters["event_type"] {
            if let value = EventType(rawValue: String(eventType)) { query.eventType = value } else {
                problems.append(FieldProblem(field: "event_type", detail: "must be one of lead, conversion, action"))
            }
        }
        for name in ["since", "until"] {
            guard let text = parameters[name[...]] else { continue }
            if let millis = Timestamp.parse(String(text), roundingUp: true) {
                if name == "since" { query.since = millis } else { query.until = millis }
            } else {
                problems.append(FieldProblem(field: name, detail: "must be an ISO 8601 date-time such as 2019-12-02T10:00:00Z"))
            }
        }
        guard problems.isEmpty else { throw Problem.badRequest("Invalid query parameters", errors: problems) }
        return query
    }

    /// The `Idempotency-Key` header (a bare or sf-string quoted key of 1 to 255 visible ASCII
    /// characters) with a fingerprint of this request, or nil when there is none.
    func idempotencyKey(_ request: Request, body: ByteBuffer) throws -> IdempotencyKey? {
        let values = request.headers[values: .idempotencyKey]
        guard !values.isEmpty else { return nil }
        guard values.count == 1 else { throw Problem.badRequest("More than one Idempotency-Key header") }
        var key = Substring(values[0])
        if key.count >= 2, key.first == "\"", key.last == "\"" { key = key.dropFirst().dropLast() }
        guard (1...IdempotencyKey.maximumLength).contains(key.utf8.count),
            key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            throw Problem.badRequest("The Idempotency-Key must be 1 to \(IdempotencyKey.maximumLength) visible ASCII characters")
        }
        var hasher = SHA256()
        hasher.update(data: Array(request.uri.path.utf8))
        hasher.update(data: [0])
        hasher.update(data: body.readableBytesView)
        return IdempotencyKey(key: String(key), fingerprint: Array(hasher.finalize()))
    }

    /// Stores `submission` and answers with `status` and the body `render` makes of the receipts;
    /// a replay renders the first request's receipts again, so it gets the same bytes.
    func respond(
        to submission: EventSubmission, status: HTTPResponse.Status, logger: Logger, render: ([CommitReceipt]) throws -> [UInt8]
    ) async throws -> Response {
        let outcome: EventSubmission.Outcome
        do {
            outcome = try await store.store(submission)
        } catch {
            writeHealth.recordFailure(error, logger: logger)
            throw Problem.unavailable("The event could not be stored; retry later")
        }
        writeHealth.recordSuccess()
        var headers: HTTPFields = [.contentType: "application/json"]
        let receipts: [CommitReceipt]
        switch outcome {
        case .stored(let stored):
            metrics.eventsStored.increment(by: stored.count)
            receipts = stored
        case .replayed(let stored):
            metrics.idempotentReplays.increment()
            headers[.idempotentReplayed] = "true"
            receipts = stored
        case .keyReused:
            throw Problem(
                status: .unprocessableContent, type: Problem.typeBase + "idempotency-key-reused",
                detail: "This Idempotency-Key was already used with a different request")
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try render(receipts))))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
