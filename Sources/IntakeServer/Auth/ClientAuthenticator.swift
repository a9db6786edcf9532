import HTTPTypes
import Hummingbird
import IntakeCore
import NIOCore

/// Client authentication, exactly alike on the token, introspection and revocation endpoints:
/// the same form rules, the same methods (HTTP Basic or `client_secret_post`, never both), the
/// same error bytes, and the same throttle of failures per (source address, client id), checked
/// before any hash work.
///
/// ```swift
/// let form = try await ClientAuthenticator.form(of: request)
/// let client = try await authenticator.authenticate(request, form: form, context: context)
/// ```
struct ClientAuthenticator: Sendable {
    /// Requests of these endpoints are a few hundred bytes; anything near this is not one.
    static let maximumBodySize = 16 * 1024
    /// RFC 8414 names of the client authentication methods accepted.
    static let methods = ["client_secret_basic", "client_secret_post"]

    let registry: ClientRegistry
    let throttle: ThrottleGate
    let trustedProxies: [AddressRange]
    let trail: AuditTrail

    /// The form body, refused unless it is `application/x-www-form-urlencoded`, within
    /// ``maximumBodySize``, with no parameter twice and no secret in the URL.
    static func form(of request: Request) async throws -> FormParameters {
        guard let contentType = request.headers.value(.contentType),
            MediaType.essence(of: contentType) == "application/x-www-form-urlencoded"
        else {
            throw OAuthError.invalidRequest("The request body must be application/x-www-form-urlencoded")
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maximumBodySize)
        } catch {
            throw OAuthError.invalidRequest("The request body is larger than \(maximumBodySize) bytes").closingConnection
        }
        let form: FormParameters
        do {
            form = try FormParameters(decoding: body.readableBytesView)
        } catch .repeated(let name) {
            throw OAuthError.invalidRequest("The parameter \(DisplayText.quotable(name)) is repeated")
        } catch {
            throw OAuthError.invalidRequest("The request body is not valid form encoding")
        }
        if let query = request.uri.query, namesClientSecret(query) {
            throw OAuthError.invalidRequest("Client credentials must not be sent in the URL")
        }
        return form
    }

    /// The caller and the `token` parameter of an introspection or revocation request.
    func authenticatedTokenRequest(_ request: Request, context: IntakeRequestContext) async throws -> (ClientRecord, String) {
        let form = try await Self.form(of: request)
        let caller = try await authenticate(request, form: form, context: context)
        guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("The token parameter is missing") }
        return (caller, token)
    }

    /// The enabled client the request authenticates as; `401` with the published bytes when the
    /// credentials are wrong, `429` once the pair's budget of failures is spent.
    func authenticate(_ request: Request, form: FormParameters, context: IntakeRequestContext) async throws -> ClientRecord {
        let (clientID, secret) = try Self.credentials(request, form: form)
        var key: AuthenticationThrottle.Key?
        if !throttle.isIdle {
            let pair = throttleKey(request, context: context, clientID: clientID)
            if let retryAfter = await throttle.refusal(of: pair) { throw OAuthError.throttled(retryAfter: retryAfter) }
            key = pair
        }
        if let client = await registry.authenticate(clientID: clientID, secret: Array(secret.utf8)) {
            context.attribution?.attribute(to: client.id)
            return client
        }
        let pair = key ?? throttleKey(request, context: context, clientID: clientID)
        let failure = throttle.recordFailure(pair)
        if failure.shouldReport {
            await trail.record(
                .throttlingStarted, subject: pair.address.description,
                detail: "client_id=\(registry.directory.loggableID(pair.clientID))")
        }
        throw OAuthError.invalidCredentials
    }

    private func throttleKey(_ request: Request, context: IntakeRequestContext, clientID: String) -> AuthenticationThrottle.Key {
        let address = ForwardedFor.clientAddress(
            peer: context.peerAddress, headers: request.headers[values: .xForwardedFor], trusted: trustedProxies)
        return AuthenticationThrottle.Key(address: address.accountingPrefix, clientID: clientID)
    }

    /// Whether any query parameter is named `client_secret`, however malformed the rest of the query.
    private static func namesClientSecret(_ query: String) -> Bool {
        query.utf8.split(separator: UInt8(ascii: "&")).contains { parameter in
            let name = parameter.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)[0]
            return (FormParameters.percentDecoded(name) ?? String(decoding: name, as: UTF8.self)) == "client_secret"
        }
    }

    /// The one client authentication method of the request: Basic or `client_secret_post`.
    private static func credentials(_ request: Request, form: FormParameters) throws -> (String, String) {
        let headers = request.headers[values: .authorization]
        guard headers.count <= 1 else { throw OAuthError.invalidRequest("More than one Authorization header") }
        var basic: BasicCredentials?
        if let header = headers.first {
            do {
                basic = try BasicCredentials(header: header)
            } catch .notBasic {
                throw OAuthError.invalidRequest("Client authentication takes HTTP Basic (or client_secret_post)")
            } catch {
                throw OAuthError.invalidRequest("The Basic credentials are malformed")
            }
        }
        switch (basic, form["client_id"], form["client_secret"]) {
        case (let basic?, nil, nil):
            return (basic.clientID, basic.secret)
        case (let basic?, let bodyID?, nil) where bodyID == basic.clientID:
            return (basic.clientID, basic.secret)
        case (.some, _, _):
            throw OAuthError.invalidRequest("Use one client authentication method, not Basic and the request body")
        case (nil, let id?, let secret?) where !id.isEmpty:
            return (id, secret)
        default:
            throw OAuthError(
                status: .unauthorized, code: "invalid_client",
                description: "Client authentication is required (HTTP Basic or client_secret_post)", challenge: true)
        }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
