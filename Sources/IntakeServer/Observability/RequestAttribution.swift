import Synchronization

/// Who a request turned out to come from, filled in by whichever handler authenticates the
/// caller and read by ``ObservabilityMiddleware`` once the answer is ready. A reference, because
/// the context a middleware hands down is a copy that never comes back up.
final class RequestAttribution: Sendable {
    private let authenticatedClient = Mutex<String?>(nil)

    /// The authenticated client's id; nil when none authenticated (credentials are never named
    /// in the log unless they proved to be right).
    var clientID: String? { authenticatedClient.withLock { $0 } }

    func attribute(to clientID: String) {
        authenticatedClient.withLock { $0 = clientID }
    }
}
