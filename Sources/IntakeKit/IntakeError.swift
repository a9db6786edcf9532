/// What can go wrong talking to the API. Messages never contain a secret or a token.
///
/// A struct with a ``Code`` rather than an enum, as in swift-nio and AsyncHTTPClient, so that a new
/// kind of failure in a later release does not break a `switch` in your code:
///
/// ```swift
/// do {
///     _ = try await client.send(event)
/// } catch let error as IntakeError where error.code == .invalidCredentials {
///     print("check INTAKE_CLIENT_SECRET: \(error)")
/// } catch let error as IntakeError where error.code == .rejected {
///     print("refused with \(error.status ?? 0): \(error.fieldErrors)")
/// }
/// ```
public struct IntakeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidCredentials, tokenRequestRejected, rejected, unavailable, unexpectedResponse
        }

        private let base: Base

        /// The token endpoint refused the credentials (`401`, or `400 invalid_client`/`invalid_grant`). Not retried.
        public static let invalidCredentials = Code(base: .invalidCredentials)
        /// The token endpoint refused the request for another reason (`400`, e.g. `invalid_scope`). Not retried.
        public static let tokenRequestRejected = Code(base: .tokenRequestRejected)
        /// The API refused the request (a `4xx` other than a stale token), with its problem `detail` and field errors.
        public static let rejected = Code(base: .rejected)
        /// The server kept failing (`5xx`, `429`, network errors) until the retry budget ran out.
        public static let unavailable = Code(base: .unavailable)
        /// A response that is not what the API documents.
        public static let unexpectedResponse = Code(base: .unexpectedResponse)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The HTTP status of the answer, when there was one.
    public let status: Int?
    /// The OAuth error code of a refused token request (e.g. `invalid_scope`).
    public let oauthError: String?
    /// What the server or the SDK said went wrong.
    public let detail: String
    /// The fields a refused event named, as `field detail`.
    public let fieldErrors: [String]
    /// Attempts made before giving up (``Code/unavailable``).
    public let attempts: Int?

    private init(
        code: Code, status: Int? = nil, oauthError: String? = nil, detail: String, fieldErrors: [String] = [],
        attempts: Int? = nil
    ) {
        self.code = code
        self.status = status
        self.oauthError = oauthError
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.attempts = attempts
    }

    public static func invalidCredentials(description: String) -> IntakeError {
        IntakeError(code: .invalidCredentials, detail: description)
    }

    public static func tokenRequestRejected(status: Int, error: String, description: String) -> IntakeError {
        IntakeError(code: .tokenRequestRejected, status: status, oauthError: error, detail: description)
    }

    public static func rejected(status: Int, detail: String, fieldErrors: [String]) -> IntakeError {
        IntakeError(code: .rejected, status: status, detail: detail, fieldErrors: fieldErrors)
    }

    public static func unavailable(attempts: Int, lastFailure: String) -> IntakeError {
        IntakeError(code: .unavailable, detail: lastFailure, attempts: attempts)
    }

    public static func unexpectedResponse(status: Int, reason: String) -> IntakeError {
        IntakeError(code: .unexpectedResponse, status: status, detail: reason)
    }

    public var description: String {
        switch code {
        case .invalidCredentials:
            return "the client credentials were refused: \(detail)"
        case .tokenRequestRejected:
            return "the token request was refused (\(status ?? 0) \(oauthError ?? "")): \(detail)"
        case .rejected:
            let fields = fieldErrors.isEmpty ? "" : ": " + fieldErrors.joined(separator: "; ")
            return "refused (\(status ?? 0)): \(detail)\(fields)"
        case .unavailable:
            return "the server stayed unavailable after \(attempts ?? 0) attempts (last: \(detail))"
        default:
            return "unexpected response (\(status ?? 0)): \(detail)"
        }
    }
}
