import Synchronization

/// How many client connections may be open at once. Past the limit a new connection is answered
/// `503` and closed at once, instead of waiting unanswered in the kernel's backlog (Hummingbird's
/// `MaximumAvailableConnections` stops accepting, which a client sees as a hang).
final class ConnectionBudget: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var openConnections: Int { open.load(ordering: .relaxed) }

    /// Takes a place for a new connection; false when the limit is reached.
    func acquire() -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        guard now <= limit else {
            open.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func release() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }
}
