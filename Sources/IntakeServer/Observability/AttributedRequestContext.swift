import Hummingbird

/// A request context that can carry a ``RequestAttribution`` (the public and the admin listener's).
protocol AttributedRequestContext: RequestContext {
    var attribution: RequestAttribution? { get set }
}
