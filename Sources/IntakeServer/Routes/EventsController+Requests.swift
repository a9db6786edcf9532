import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import IntakeCore
import IntakeModel

extension EventsController {
    /// The authenticated client, the raw body and its JSON, or the 4xx that says what is wrong.
    /// A declared length over the limit is refused before any of the body is read.
    func readJSON(_ request: Request, context: IntakeRequestContext) async throws -> (ClientRecord, ByteBuffer, JSONValue) {
        guard let client = context.client else { throw Problem.missingToken }
        if let contentType = request.headers[.contentType] {
            let mediaType = MediaType.essence(of: contentType)
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                throw Problem(
                    status: .unsupportedMediaType, type: Problem.typeBase + "unsupported-media-type",
                    detail: "The request body must be application/json")
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBodySize {
            throw Problem.tooLarge(limit: maximumBodySize)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBodySize)
        } catch {
            throw Problem.tooLarge(limit: maximumBodySize)
        }
        do {
            return (client, body, try JSONValue(parsing: body.readableBytesView))
        } catch {
            throw Problem.badRequest("The request body is not valid JSON")
        }
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

    func respond(to submission: EventSubmission) async throws -> Response {
        let outcome: EventSubmission.Outcome
        do {
            outcome = try await store.store(submission)
        } catch {
            throw Problem.unavailable("The event could not be stored; retry later")
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        switch outcome {
        case .stored(let record):
            return Response(
                status: .init(code: record.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: record.body)))
        case .replayed(let record):
            headers[.idempotentReplayed] = "true"
            return Response(
                status: .init(code: record.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: record.body)))
        case .keyReused:
            throw Problem(
                status: .unprocessableContent, type: Problem.typeBase + "idempotency-key-reused",
                detail: "This Idempotency-Key was already used with a different request")
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
