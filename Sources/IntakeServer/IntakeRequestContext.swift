import Hummingbird
import IntakeCore
import NIOCore

/// The per-request context: Hummingbird's core storage, the peer's address, who a bearer token
/// proved the caller to be (in the shape of hummingbird-auth's `identity`), and where the request
/// log line learns that.
package struct IntakeRequestContext: RequestContext, RemoteAddressRequestContext, AttributedRequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The connection's peer (a proxy's, behind one: see `--trusted-proxy`).
    package let remoteAddress: SocketAddress?
    /// Set by ``BearerAuthenticator`` on `/v2` routes.
    package var identity: BearerIdentity?
    /// Set by ``ObservabilityMiddleware``.
    var attribution: RequestAttribution?

    package init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address; `0.0.0.0` for a Unix socket, which has none.
    var peerAddress: IPAddress {
        remoteAddress.flatMap(IPAddress.init(socketAddress:)) ?? IPAddress(ipv4: (0, 0, 0, 0))
    }

    /// The authenticated caller; a route behind ``BearerAuthenticator`` always has one.
    package func requireIdentity() throws -> BearerIdentity {
        guard let identity else { throw Problem.missingToken }
        return identity
    }
}

/// The client a verified access token belongs to, and what the token grants.
package struct BearerIdentity: Sendable {
    package var client: ClientRecord
    package var claims: AccessTokenClaims

    /// Whether the token carries `scope` and its client still holds it: narrowing a client's
    /// scopes narrows its live tokens at once.
    package func grants(_ scope: String) -> Bool {
        claims.scopes.contains(scope) && client.scopes.contains(scope)
    }
}
