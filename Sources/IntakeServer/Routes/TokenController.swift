import Hummingbird
import IntakeCore
import IntakeModel

/// `POST /oauth2/token`: the OAuth 2.0 Client Credentials Grant (RFC 6749 §4.4, §5).
///
/// ```swift
/// TokenController(registry: registry, keys: keyRing).addRoutes(to: router)
/// ```
struct TokenController {
    /// Token requests are a few hundred bytes; anything near this is not one.
    static let maximumBodySize = 16 * 1024
    static let path = "/oauth2/token"
    static let grantType = "client_credentials"
    /// RFC 8414 names of the client authentication methods accepted.
    static let authenticationMethods = ["client_secret_basic", "client_secret_post"]

    let registry: ClientRegistry
    let keys: KeyRing

    func addRoutes(to router: Router<IntakeRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            try await issueToken(request)
        }
        for method in [HTTPRequest.Method.get, .put, .delete, .patch, .head, .options] {
            router.on(RouterPath(Self.path), method: method) { _, _ -> Response in
                throw MethodNotAllowed(allowed: "POST")
            }
        }
    }

    func issueToken(_ request: Request) async throws -> Response {
        guard let contentType = request.headers[.contentType],
            MediaType.essence(of: contentType) == "application/x-www-form-urlencoded"
        else {
            throw OAuthError.invalidRequest("The request body must be application/x-www-form-urlencoded")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maximumBodySize {
            throw OAuthError.invalidRequest("The request body is larger than \(Self.maximumBodySize) bytes").closingConnection
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maximumBodySize)
        } catch {
            throw OAuthError.invalidRequest("The request body is larger than \(Self.maximumBodySize) bytes").closingConnection
        }
        let form: FormParameters
        do {
            form = try FormParameters(decoding: body.readableBytesView)
        } catch .repeated(let name) {
            throw OAuthError.invalidRequest("The parameter \(name) is repeated")
        } catch {
            throw OAuthError.invalidRequest("The request body is not valid form encoding")
        }
        if let query = request.uri.query, Self.namesClientSecret(query) {
            throw OAuthError.invalidRequest("Client credentials must not be sent in the URL")
        }
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            throw OAuthError.invalidRequest("The grant_type parameter is missing")
        }
        guard grantType == Self.grantType else {
            throw OAuthError(
                status: .badRequest, code: "unsupported_grant_type",
                description: "Only the client_credentials grant is supported", challenge: false)
        }
        let (clientID, secret) = try clientCredentials(request, form: form)
        guard let client = await registry.authenticate(clientID: clientID, secret: secret.utf8) else {
            throw OAuthError.invalidCredentials
        }
        var scopes = client.scopes
        if let requested = form["scope"] {
            guard let parsed = try? ScopeSet(parsing: requested), !parsed.isEmpty, parsed.isSubset(of: client.scopes) else {
                throw OAuthError(
                    status: .badRequest, code: "invalid_scope",
                    description: "The requested scope is invalid or exceeds the client's scopes", challenge: false)
            }
            scopes = parsed
        }
        let issuer = keys.issuer
        var out = Array(#"{"access_token": ""#.utf8)
        try issuer.appendToken(clientID: client.id, scopes: scopes, to: &out)
        out.append(contentsOf: #"", "token_type": "Bearer", "expires_in": "#.utf8)
        out.append(contentsOf: String(issuer.lifetime).utf8)
        JSONWriter.appendObjectEnd(&out)
        return Response(status: .ok, headers: TokenResponseHeaders.fields, body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }

    /// Whether any query parameter is named `client_secret`, however malformed the rest of the query.
    private static func namesClientSecret(_ query: String) -> Bool {
        query.utf8.split(separator: UInt8(ascii: "&")).contains { parameter in
            let name = parameter.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)[0]
            return (FormParameters.percentDecoded(name) ?? String(decoding: name, as: UTF8.self)) == "client_secret"
        }
    }

    /// The one client authentication method of the request: Basic or `client_secret_post`.
    private func clientCredentials(_ request: Request, form: FormParameters) throws -> (String, String) {
        let headers = request.headers[values: .authorization]
        guard headers.count <= 1 else { throw OAuthError.invalidRequest("More than one Authorization header") }
        var basic: BasicCredentials?
        if let header = headers.first {
            do {
                basic = try BasicCredentials(header: header)
            } catch .notBasic {
                throw OAuthError.invalidRequest("The token endpoint takes HTTP Basic client authentication")
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

/// `405` with `Allow`, as JSON.
struct MethodNotAllowed: HTTPResponseError {
    var allowed: String
    var status: HTTPResponse.Status { .methodNotAllowed }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try OAuthError(
            status: .methodNotAllowed, code: "invalid_request", description: "Use \(allowed)", challenge: false
        ).response(from: request, context: context)
        response.headers[.allow] = allowed
        return response
    }
}
