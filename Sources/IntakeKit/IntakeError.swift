/// What can go wrong talking to the API. Messages never contain a secret or a token.
public enum IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The token endpoint refused the credentials (`401`, or `400 invalid_client`/`invalid_grant`). Not retried.
    case invalidCredentials(description: String)
    /// The token endpoint refused the request for another reason (`400`, e.g. `invalid_scope`). Not retried.
    case tokenRequestRejected(status: Int, error: String, description: String)
    /// The API refused the request (a `4xx` other than a stale token), with its problem `detail` and field errors.
    case rejected(status: Int, detail: String, fieldErrors: [String])
    /// The server kept failing (`5xx`, `429`, network errors) until the retry budget ran out.
    case unavailable(attempts: Int, lastFailure: String)
    /// A response that is not what the API documents.
    case unexpectedResponse(status: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidCredentials(let description):
            "the client credentials were refused: \(description)"
        case .tokenRequestRejected(let status, let error, let description):
            "the token request was refused (\(status) \(error)): \(description)"
        case .rejected(let status, let detail, let fieldErrors):
            fieldErrors.isEmpty ? "refused (\(status)): \(detail)" : "refused (\(status)): \(detail): \(fieldErrors.joined(separator: "; "))"
        case .unavailable(let attempts, let lastFailure):
            "the server stayed unavailable after \(attempts) attempts (last: \(lastFailure))"
        case .unexpectedResponse(let status, let reason):
            "unexpected response (\(status)): \(reason)"
        }
    }
}
