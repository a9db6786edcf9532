import Hummingbird
import IntakeCore

/// The per-request context: Hummingbird's core storage plus the client a bearer token proved.
public struct IntakeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``BearerAuthenticator`` on `/v2` routes.
    public var client: ClientRecord?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
