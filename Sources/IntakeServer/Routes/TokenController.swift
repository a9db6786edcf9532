import CoreMetrics
import Hummingbird
import IntakeCore
import IntakeModel

/// `POST /oauth2/token`: the OAuth 2.0 Client Credentials Grant (RFC 6749 §4.4, §5).
///
/// ```swift
/// TokenController(authenticator: authenticator, keys: keyRing, metrics: ServerMetrics()).addRoutes(to: router)
/// ```
struct TokenController {
    static let path = "/oauth2/token"
    static let grantType = "client_credentials"

    let authenticator: ClientAuthenticator
    let keys: KeyRing
    let metrics: ServerMetrics

    func addRoutes(to router: Router<IntakeRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            do {
                let response = try await issueToken(request, context: context)
                metrics.tokenRequests(.issued).increment()
                return response
            } catch let error as OAuthError {
                switch error.status {
                case .unauthorized: metrics.tokenRequests(.invalidCredentials).increment()
                case .tooManyRequests: metrics.tokenRequests(.throttled).increment()
                default: metrics.tokenRequests(.invalidRequest).increment()
                }
                throw error
            } catch {
                metrics.tokenRequests(.failed).increment()
                throw error
            }
        }
    }

    func issueToken(_ request: Request, context: IntakeRequestContext) async throws -> Response {
        let form = try await ClientAuthenticator.form(of: request)
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            throw OAuthError.invalidRequest("The grant_type parameter is missing")
        }
        guard grantType == Self.grantType else {
            throw OAuthError(
                status: .badRequest, code: "unsupported_grant_type",
                description: "Only the client_credentials grant is supported", challenge: false)
        }
        let client = try await authenticator.authenticate(request, form: form, context: context)
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
        let lifetime = client.tokenLifetime(serverLifetime: issuer.lifetime)
        var out = Array(#"{"access_token": ""#.utf8)
        try issuer.appendToken(clientID: client.id, scopes: scopes, lifetime: lifetime, to: &out)
        out.append(contentsOf: #"", "token_type": "Bearer", "expires_in": "#.utf8)
        out.append(contentsOf: String(lifetime).utf8)
        JSONWriter.appendObjectEnd(&out)
        return Response(status: .ok, headers: TokenResponseHeaders.fields, body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}
