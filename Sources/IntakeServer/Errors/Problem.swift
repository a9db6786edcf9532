import Hummingbird
import IntakeCore
import IntakeModel

/// An RFC 9457 problem answer, as every `/v2` error is sent:
/// `{"type": …, "title": …, "status": …, "detail": …, "errors": [{"field": …, "detail": …}]}`.
struct Problem: HTTPResponseError {
    var status: HTTPResponse.Status
    var type: String
    var detail: String
    var errors: [FieldProblem] = []
    /// An RFC 6750 error code, also sent in `WWW-Authenticate`.
    var oauthError: String?
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    var body: [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("type", string: type, to: &out)
        JSONWriter.appendMember("title", string: status.reasonPhrase, to: &out)
        JSONWriter.appendMember("status", integer: Int64(status.code), to: &out)
        JSONWriter.appendMember("detail", string: detail, to: &out)
        if let oauthError {
            JSONWriter.appendMember("error", string: oauthError, to: &out)
        }
        if !errors.isEmpty {
            Self.appendErrors(errors, to: &out)
        }
        JSONWriter.appendObjectEnd(&out)
        return out
    }

    /// `"errors":[{"field":…,"detail":…},…]`
    static func appendErrors(_ errors: [FieldProblem], to out: inout [UInt8]) {
        JSONWriter.appendKey("errors", to: &out)
        out.append(UInt8(ascii: "["))
        for problem in errors {
            if out.last != UInt8(ascii: "[") { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendObjectStart(&out)
            JSONWriter.appendMember("field", string: problem.field, to: &out)
            JSONWriter.appendMember("detail", string: problem.detail, to: &out)
            JSONWriter.appendObjectEnd(&out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension Problem {
    static let typeBase = "urn:intake:problem:"

    static let notJSON = Problem(
        status: .unsupportedMediaType, type: typeBase + "unsupported-media-type", detail: "The request body must be application/json")

    static func badRequest(_ detail: String, errors: [FieldProblem] = []) -> Problem {
        Problem(status: .badRequest, type: typeBase + "bad-request", detail: detail, errors: errors)
    }

    static func invalidEvent(_ errors: [FieldProblem]) -> Problem {
        Problem(
            status: .unprocessableContent, type: typeBase + "invalid-event",
            detail: "The event has \(errors.count) invalid field\(errors.count == 1 ? "" : "s")", errors: errors)
    }

    /// The rest of the body is never read, so the connection cannot carry another request.
    static func tooLarge(limit: Int) -> Problem {
        Problem(
            status: .contentTooLarge, type: typeBase + "too-large", detail: "The request body is larger than \(limit) bytes",
            headers: [.connection: "close"])
    }

    /// Stored data that Intake did not write as it reads it (the log names the row): a server fault.
    static let damagedData = Problem(
        status: .internalServerError, type: typeBase + "damaged-data",
        detail: "Stored data could not be read; the server log names it")

    static func unavailable(_ detail: String) -> Problem {
        Problem(status: .serviceUnavailable, type: typeBase + "unavailable", detail: detail, headers: [.retryAfter: "1"])
    }
}
