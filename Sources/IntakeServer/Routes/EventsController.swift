import Hummingbird
import IntakeCore
import IntakeModel
import Logging

/// The event routes: `POST /v2/event`, `POST /v2/affiliate_event`, `POST /v2/events` (batch) and
/// `GET /v2/events` (read-back), on a group that ``BearerAuthenticator`` guards; each route states
/// the scope it needs.
///
/// ```swift
/// let v2 = router.group("v2").add(middleware: BearerAuthenticator(validation: validation))
/// EventsController(store: store, maximumBodySize: 1 << 20, maximumPageBytes: 4 << 20, metrics: ServerMetrics(), writeHealth: WriteHealth())
///     .addRoutes(to: v2)
/// ```
struct EventsController {
    static let maximumBatchSize = 500

    let store: any EventStore
    let maximumBodySize: Int
    /// What one page of `GET /v2/events` may weigh (see ``EventPageQuery/maximumBytes``).
    let maximumPageBytes: Int
    let metrics: ServerMetrics
    /// Told of every event write's outcome, for `/ready`.
    let writeHealth: WriteHealth

    func addRoutes(to v2: RouterGroup<IntakeRequestContext>) {
        let writer = v2.group().add(middleware: ScopeRequirement(ScopeSet.eventsWrite))
        writer.post("event") { request, context in
            try await postEvent(request, context: context, validator: EventValidator(requiresAffiliate: false))
        }
        writer.post("affiliate_event") { request, context in
            try await postEvent(request, context: context, validator: EventValidator(requiresAffiliate: true))
        }
        writer.post("events") { request, context in
            try await postBatch(request, context: context)
        }
        v2.group().add(middleware: ScopeRequirement(ScopeSet.eventsRead)).get("events") { request, context in
            try await listEvents(request, context: context)
        }
    }

    private func postEvent(_ request: Request, context: IntakeRequestContext, validator: EventValidator) async throws -> Response {
        let client = try context.requireIdentity().client
        let (body, json) = try await readJSON(request)
        let event: EventInput
        switch validator.validate(json, receivedAt: UnixTime.nowMilliseconds()) {
        case .success(let valid): event = valid
        case .failure(let failure): throw Problem.invalidEvent(failure.problems)
        }
        let submission = EventSubmission(
            account: client.account, clientID: client.id, events: [event],
            idempotencyKey: try idempotencyKey(request, body: body))
        return try await respond(to: submission, status: .created, logger: context.logger) { receipts in
            guard let receipt = receipts.first else { throw Problem.damagedData }
            return Self.receiptJSON(receipt)
        }
    }

    private func postBatch(_ request: Request, context: IntakeRequestContext) async throws -> Response {
        let client = try context.requireIdentity().client
        let (body, json) = try await readJSON(request)
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
        // A replay has the same body (its fingerprint says so), so validating it again gives the
        // same results, and the answer is rendered again byte for byte from them and the receipts.
        let results = items.enumerated().map { index, item in
            validator.validate(item, receivedAt: receivedAt, path: "events[\(index)].")
        }
        let submission = EventSubmission(
            account: client.account, clientID: client.id, events: results.compactMap { try? $0.get() },
            idempotencyKey: try idempotencyKey(request, body: body))
        return try await respond(to: submission, status: .ok, logger: context.logger) { receipts in
            Self.batchJSON(results, receipts: receipts)
        }
    }

    private func listEvents(_ request: Request, context: IntakeRequestContext) async throws -> Response {
        var query = try Self.pageQuery(request.uri.queryParameters, account: context.requireIdentity().client.account)
        query.maximumBytes = maximumPageBytes
        let page: EventRecordPage
        do {
            page = try await store.eventPage(query)
        } catch let error as CorruptStoredRow {
            context.logger.error("Stored data cannot be read", metadata: ["error": "\(error)"])
            throw Problem.damagedData
        } catch {
            throw Problem.unavailable("The events could not be read; retry later")
        }
        let nextCursor = page.nextCursor?.description
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: Self.pageJSON(page.records, nextCursor: nextCursor))))
    }
}
