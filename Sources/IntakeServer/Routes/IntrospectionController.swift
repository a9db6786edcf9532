import Hummingbird
import IntakeCore
import IntakeModel

/// `POST /oauth2/introspect` (RFC 7662): whether a token is active, for the client it was issued
/// to and for clients holding `tokens:introspect` (resource servers). Every other caller, like
/// every expired, revoked, malformed or foreign token and every token of a disabled or deleted
/// client, gets `{"active": false}`, so the answer never tells whose a token is.
///
/// ```swift
/// IntrospectionController(authenticator: authenticator, validation: validation).addRoutes(to: router)
/// ```
struct IntrospectionController {
    static let path = "/oauth2/introspect"

    let authenticator: ClientAuthenticator
    let validation: TokenValidation

    func addRoutes(to router: Router<IntakeRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            try await introspect(request, context: context)
        }
    }

    func introspect(_ request: Request, context: IntakeRequestContext) async throws -> Response {
        let (caller, token) = try await authenticator.authenticatedTokenRequest(request, context: context)
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        if let (claims, owner) = try? await validation.validate(token),
            caller.id == owner.id || caller.scopes.contains(ScopeSet.tokensIntrospect)
        {
            JSONWriter.appendKey("active", to: &out)
            out.append(contentsOf: "true".utf8)
            // What the token grants now: its scopes as far as its client still holds them.
            JSONWriter.appendMember("scope", string: claims.scopes.intersection(owner.scopes).description, to: &out)
            JSONWriter.appendMember("client_id", string: claims.clientID, to: &out)
            JSONWriter.appendMember("sub", string: claims.subject, to: &out)
            if claims.audience.count == 1 {
                JSONWriter.appendMember("aud", string: claims.audience[0], to: &out)
            } else {
                JSONWriter.appendMember("aud", strings: claims.audience, to: &out)
            }
            JSONWriter.appendMember("iss", string: claims.issuer, to: &out)
            JSONWriter.appendMember("exp", integer: claims.expiresAt, to: &out)
            JSONWriter.appendMember("iat", integer: claims.issuedAt, to: &out)
            JSONWriter.appendMember("jti", string: claims.tokenID, to: &out)
            JSONWriter.appendMember("token_type", string: "Bearer", to: &out)
        } else {
            JSONWriter.appendKey("active", to: &out)
            out.append(contentsOf: "false".utf8)
        }
        JSONWriter.appendObjectEnd(&out)
        return Response(status: .ok, headers: TokenResponseHeaders.fields, body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}
