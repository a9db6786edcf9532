import Synchronization

/// How many client connections may be open at once, in all and from one source address. Past
/// either limit a new connection is answered `503` and closed at once, instead of waiting
/// unanswered in the kernel's backlog (Hummingbird's `MaximumAvailableConnections` stops
/// accepting, which a client sees as a hang). The limit per address keeps one host from taking
/// every place; behind a proxy every connection comes from the proxy, so raise it or turn it off
/// there. Connections are counted as they are accepted, not per request, so a lock is cheap here.
final class ConnectionBudget: Sendable {
    private struct State {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    let limit: Int
    /// 0 for no limit per address.
    let limitPerAddress: Int
    private let state = Mutex(State())

    init(limit: Int, limitPerAddress: Int = 0) {
        self.limit = limit
        self.limitPerAddress = limitPerAddress
    }

    /// Takes a place for a new connection from `address`; false when a limit is reached.
    func acquire(address: String?) -> Bool {
        state.withLock { state in
            guard state.total < limit else { return false }
            if let address, limitPerAddress > 0 {
                let open = state.byAddress[address, default: 0]
                guard open < limitPerAddress else { return false }
                state.byAddress[address] = open + 1
            }
            state.total += 1
            return true
        }
    }

    func release(address: String?) {
        state.withLock { state in
            state.total -= 1
            guard let address, limitPerAddress > 0, let open = state.byAddress[address] else { return }
            state.byAddress[address] = open > 1 ? open - 1 : nil
        }
    }
}
