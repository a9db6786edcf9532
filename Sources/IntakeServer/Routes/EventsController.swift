import Crypto
import Foundation
import Hummingbird
import IntakeCore
import IntakeModel

/// The event routes: `POST /v2/event`, `POST /v2/affiliate_event`, `POST /v2/events` (batch) and
/// `GET /v2/events` (read-back). The bearer check runs before any of them.
///
/// ```swift
/// EventsController(store: store, verifier: verifier, directory: directory, maximumBodySize: 1 << 20).addRoutes(to: router)
/// ```
struct EventsController {
    static let maximumBatchSize = 500

    let store: any EventStore
    let verifier: AccessTokenVerifier
    let directory: ClientDirectory
    let maximumBodySize: Int

    func addRoutes(to router: Router<IntakeRequestContext>) {
        let writer = router.group("v2")
            .add(middleware: BearerAuthenticator(verifier: verifier, directory: directory, requiredScope: ScopeSet.eventsWrite))
        writer.post("event") { request, context in
            try await postEvent(request, context: context, validator: EventValidator(requiresAffiliate: false))
        }
        writer.post("affiliate_event") { request, context in
            try await postEvent(request, context: context, validator: EventValidator(requiresAffiliate: true))
        }
        writer.post("events") { request, context in
            try await postBatch(request, context: context)
        }
        router.group("v2")
            .add(middleware: BearerAuthenticator(verifier: verifier, directory: directory, requiredScope: ScopeSet.eventsRead))
            .get("events") { request, context in
                try await listEvents(request, context: context)
            }
    }

    private func postEvent(_ request: Request, context: IntakeRequestContext, validator: EventValidator) async throws -> Response {
        let (client, body, json) = try await readJSON(request, context: context)
        let event: EventInput
        switch validator.validate(json, receivedAt: UnixTime.nowMilliseconds()) {
        case .success(let valid): event = valid
        case .failure(let failure): throw Problem.invalidEvent(failure.problems)
        }
        let submission = EventSubmission(
            account: client.account, clientID: client.id, events: [event],
            idempotencyKey: try idempotencyKey(request, body: body)
        ) { receipts in
            ResponseRecord(status: 201, body: Self.receiptJSON(receipts[0]))
        }
        return try await respond(to: submission)
    }

    private func postBatch(_ request: Request, context: IntakeRequestContext) async throws -> Response {
        let (client, body, json) = try await readJSON(request, context: context)
        guard case .object(let envelope) = json, case .array(let items)? = envelope["events"] else {
            throw Problem.badRequest(#"The body must be {"events": [ … ]}"#, errors: [
                FieldProblem(field: "events", detail: "must be an array of events")
            ])
        }
        guard (1...Self.maximumBatchSize).contains(items.count) else {
            throw Problem.invalidEvent([
                FieldProblem(field: "events", detail: "must hold 1 to \(Self.maximumBatchSize) events, not \(items.count)")
            ])
        }
        let validator = EventValidator(requiresAffiliate: false)
        let receivedAt = UnixTime.nowMilliseconds()
        let results = items.enumerated().map { index, item in
            validator.validate(item, receivedAt: receivedAt, path: "events[\(index)].")
        }
        let valid = results.compactMap { try? $0.get() }
        let submission = EventSubmission(
            account: client.account, clientID: client.id, events: valid,
            idempotencyKey: try idempotencyKey(request, body: body)
        ) { receipts in
            ResponseRecord(status: 200, body: Self.batchJSON(results, receipts: receipts))
        }
        return try await respond(to: submission)
    }

    private func listEvents(_ request: Request, context: IntakeRequestContext) async throws -> Response {
        guard let client = context.client else { throw Problem.missingToken }
        let parameters = request.uri.queryParameters
        var problems: [FieldProblem] = []
        var query = EventQuery(account: client.account)
        if let after = parameters["after"] {
            if let value = Int64(after), value >= 0 { query.after = value } else {
                problems.append(FieldProblem(field: "after", detail: "must be a cursor from next_cursor"))
            }
        }
        if let limit = parameters["limit"] {
            if let value = Int(limit), (1...EventQuery.maximumLimit).contains(value) { query.limit = value } else {
                problems.append(FieldProblem(field: "limit", detail: "must be a whole number from 1 to \(EventQuery.maximumLimit)"))
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
        let pageSize = query.limit
        query.limit = pageSize + 1
        let events: [StoredEvent]
        do {
            events = try await store.events(query)
        } catch {
            throw Problem.unavailable("The events could not be read; retry later")
        }
        let page = events.prefix(pageSize)
        let nextCursor = events.count > pageSize ? page.last.map { String($0.receipt.id) } : nil
        let body = try JSONEncoder.events.encode(EventPage(events: page.map(EventRepresentation.init), nextCursor: nextCursor))
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
