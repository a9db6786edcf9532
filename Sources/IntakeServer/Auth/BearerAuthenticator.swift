import Hummingbird
import IntakeCore

/// Authenticates `/v2` requests: `Authorization: Bearer <JWT>` with a valid token of an enabled
/// client (RFC 6750 §2.1, §3). It only says who the caller is; ``ScopeRequirement`` says what a
/// route needs.
///
/// A token whose `kid` is unknown here may come from a sibling instance that took up a rotation
/// first: the key ring checks the database (shared, rate-limited checks) and the token is checked
/// once more.
///
/// ```swift
/// let v2 = router.group("v2").add(middleware: BearerAuthenticator(validation: validation))
/// v2.group().add(middleware: ScopeRequirement(ScopeSet.eventsRead)).get("events") { request, context in … }
/// ```
struct BearerAuthenticator: RouterMiddleware {
    typealias Context = IntakeRequestContext

    let validation: TokenValidation

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let token = try Self.bearerToken(in: request)
        let claims: AccessTokenClaims
        let client: ClientRecord
        do {
            (claims, client) = try await validation.validate(token)
        } catch {
            throw Problem.invalidToken(error)
        }
        context.attribution?.attribute(to: client.id)
        var context = context
        context.identity = BearerIdentity(client: client, claims: claims)
        return try await next(request, context)
    }

    /// The token of the single `Authorization: Bearer` header. Another scheme counts as no token;
    /// a malformed bearer header, two headers, or a token in the query string is `invalid_request`.
    static func bearerToken(in request: Request) throws -> String {
        if let query = request.uri.query, query.contains("access_token"), request.uri.queryParameters["access_token"] != nil {
            throw Problem.invalidRequest("Send the access token in the Authorization header, not the URL")
        }
        let values = request.headers[values: .authorization]
        guard values.count <= 1 else { throw Problem.invalidRequest("More than one Authorization header") }
        guard let value = values.first else { throw Problem.missingToken }
        // Bytes, not Characters: splitting the String walked grapheme boundaries over the whole
        // token, ~1 µs of every request (perf, `scripts/profile.sh event`).
        let bytes = value.utf8.drop(while: { $0 == UInt8(ascii: " ") })
        let scheme = bytes.prefix(while: { $0 != UInt8(ascii: " ") })
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { throw Problem.missingToken }
        let token = bytes[scheme.endIndex...].drop(while: { $0 == UInt8(ascii: " ") })
        guard !token.isEmpty else { throw Problem.invalidRequest("The Bearer scheme needs a token") }
        guard token.allSatisfy(isB64TokenCharacter) else {
            throw Problem.invalidRequest("The Bearer token has characters RFC 6750 does not allow")
        }
        return String(Substring(token))
    }

    /// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`; the trailing `=`
    /// run is accepted anywhere here and left to the JWT parser.
    private static func isB64TokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }
}
