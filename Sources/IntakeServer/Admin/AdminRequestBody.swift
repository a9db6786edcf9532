import Hummingbird
import IntakeCore
import IntakeModel
import NIOCore

/// The JSON object an admin request sends: `application/json`, at most ``maximumSize`` bytes, and
/// only the members the route knows. Anything else is a `4xx` problem that says what was wrong:
/// `415` for another media type, `413` past the size (declared or sent), `400` for JSON that is
/// not an object, names a member twice, or has unknown members (a misspelt `disabled` must not pass for "no change"), `422` for a member
/// of the wrong type.
///
/// ```swift
/// let body = try await AdminRequestBody(request, members: ["disabled"])
/// let disabled = try body.bool("disabled")
/// ```
struct AdminRequestBody {
    static let maximumSize = 64 * 1024

    private let members: [String: JSONValue]

    /// `allowsEmpty`: an empty body (no `Content-Type` needed) stands for `{}`.
    init(_ request: Request, members known: Set<String>, allowsEmpty: Bool = false) async throws {
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maximumSize)
        } catch {
            throw Problem.tooLarge(limit: Self.maximumSize)
        }
        if body.readableBytes == 0, allowsEmpty {
            members = [:]
            return
        }
        guard let contentType = request.headers[.contentType], MediaType.essence(of: contentType) == "application/json" else {
            throw Problem.notJSON
        }
        // A member named twice is refused, not read last-wins: `{"disabled":false,"disabled":true}`
        // means nothing certain.
        guard let parsed = try? JSONValue(parsingRejectingDuplicateNames: body.readableBytesView) else {
            guard (try? JSONValue(parsing: body.readableBytesView)) == nil else {
                throw Problem.badRequest("The request body names a member more than once")
            }
            throw Problem.badRequest("The request body is not valid JSON")
        }
        guard case .object(let members) = parsed else { throw Problem.badRequest("The request body must be a JSON object") }
        let unknown = members.keys.filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw Problem.badRequest(
                "Unknown member\(unknown.count == 1 ? "" : "s"): \(unknown.joined(separator: ", "))",
                errors: unknown.map { FieldProblem(field: $0, detail: "is not a member of this request; known: \(known.sorted().joined(separator: ", "))") })
        }
        self.members = members
    }

    /// The member as a string; absent or `null` is nil.
    func string(_ name: String) throws -> String? {
        switch members[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw Self.wrongType(name, "a string")
        }
    }

    func integer(_ name: String) throws -> Int64? {
        switch members[name] {
        case nil, .null?: return nil
        case .integer(let value)?: return value
        default: throw Self.wrongType(name, "an integer")
        }
    }

    func bool(_ name: String) throws -> Bool? {
        switch members[name] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw Self.wrongType(name, "true or false")
        }
    }

    static func invalid(_ problems: [FieldProblem]) -> Problem {
        Problem(
            status: .unprocessableContent, type: Problem.typeBase + "invalid-request",
            detail: "The request has \(problems.count) invalid member\(problems.count == 1 ? "" : "s")", errors: problems)
    }

    private static func wrongType(_ name: String, _ expected: String) -> Problem {
        invalid([FieldProblem(field: name, detail: "must be \(expected)")])
    }
}
