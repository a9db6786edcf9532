import Foundation
import Hummingbird
import IntakeCore
import IntakeModel

/// What others need to trust our tokens without sharing a secret: the public keys
/// (`GET /.well-known/jwks.json`, RFC 7517) and the authorization server metadata
/// (`GET /.well-known/oauth-authorization-server`, RFC 8414), derived from the issuer and from
/// what this server really serves.
///
/// ```swift
/// DiscoveryController(keys: keyRing, issuer: configuration.issuer, jwksMaximumAge: 300).addRoutes(to: router)
/// ```
struct DiscoveryController {
    static let jwksPath = "/.well-known/jwks.json"
    static let metadataPath = "/.well-known/oauth-authorization-server"

    let keys: KeyRing
    let issuer: String
    /// Seconds a fetched key set may be reused. Shorter than the time a retiring key keeps
    /// verifying (at least the token lifetime plus leeway), so no cached set outlives the overlap.
    let jwksMaximumAge: Int64

    func addRoutes(to router: Router<IntakeRequestContext>) {
        let keys = self.keys
        let jwksHeaders: HTTPFields = [.contentType: "application/json", .cacheControl: "max-age=\(jwksMaximumAge)"]
        router.get(RouterPath(Self.jwksPath)) { _, _ in
            Response(status: .ok, headers: jwksHeaders, body: .init(byteBuffer: ByteBuffer(bytes: keys.jwks)))
        }
        let metadata = ByteBuffer(bytes: Self.metadata(issuer: issuer))
        // RFC 8414 §3.1: for an issuer with a path, the document lives at the well-known path
        // followed by the issuer's path; the root one is kept for clients that ask there.
        var paths = [Self.metadataPath]
        if let issuerPath = URLComponents(string: issuer)?.path, issuerPath.count > 1 {
            paths.append(Self.metadataPath + (issuerPath.hasSuffix("/") ? String(issuerPath.dropLast()) : issuerPath))
        }
        for path in paths {
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json", .cacheControl: "max-age=3600"],
                    body: .init(byteBuffer: metadata))
            }
        }
    }

    /// RFC 8414 §2. Endpoints are the issuer plus our paths, so the document is right behind a
    /// proxy as long as `--issuer` is the public URL.
    static func metadata(issuer: String) -> [UInt8] {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("issuer", string: issuer, to: &out)
        JSONWriter.appendMember("token_endpoint", string: base + TokenController.path, to: &out)
        JSONWriter.appendMember("jwks_uri", string: base + jwksPath, to: &out)
        JSONWriter.appendMember("grant_types_supported", strings: [TokenController.grantType], to: &out)
        JSONWriter.appendMember("token_endpoint_auth_methods_supported", strings: ClientAuthenticator.methods, to: &out)
        JSONWriter.appendMember("introspection_endpoint", string: base + IntrospectionController.path, to: &out)
        JSONWriter.appendMember("introspection_endpoint_auth_methods_supported", strings: ClientAuthenticator.methods, to: &out)
        JSONWriter.appendMember("revocation_endpoint", string: base + RevocationController.path, to: &out)
        JSONWriter.appendMember("revocation_endpoint_auth_methods_supported", strings: ClientAuthenticator.methods, to: &out)
        JSONWriter.appendMember("scopes_supported", strings: [ScopeSet.eventsWrite, ScopeSet.eventsRead, ScopeSet.tokensIntrospect], to: &out)
        // REQUIRED by RFC 8414; the client credentials grant has no authorization endpoint, so none.
        JSONWriter.appendMember("response_types_supported", strings: [], to: &out)
        JSONWriter.appendObjectEnd(&out)
        return out
    }
}
