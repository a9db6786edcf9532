import IntakeCore
import NIOCore
import Synchronization

/// How many client connections may be open at once, in all and from one source (an IPv4 address,
/// or an IPv6 /64: see ``IPAddress/accountingPrefix``). Past the limit in all, the oldest
/// connection that has not yet sent a whole request is closed to make room, so a crowd of idle
/// connections from many hosts cannot keep a partner out; only when every connection has sent a
/// request (or past the limit per source) is a new one answered `503` and closed at once, instead
/// of waiting unanswered in the kernel's backlog (Hummingbird's `MaximumAvailableConnections`
/// stops accepting, which a client sees as a hang). Behind a proxy every connection comes from the
/// proxy, so raise the limit per source or turn it off there. Connections are counted as they are
/// accepted, not per request, so a lock is cheap here; a request only stores into its
/// connection's ``ConnectionSlot``.
///
/// ```swift
/// let budget = ConnectionBudget(limit: 4096, limitPerAddress: 256)
/// switch budget.admit(channel, from: address) {
/// case .admitted(let slot, _): channel.closeFuture.whenComplete { _ in budget.release(slot) }
/// case .refused: … 503 …
/// }
/// ```
final class ConnectionBudget: Sendable {
    enum Admission {
        /// In, with the slot to release when the connection closes; `evicted` was closed to make room.
        case admitted(ConnectionSlot, evicted: ConnectionSlot?)
        case refused(Refusal)
    }

    enum Refusal: String, Sendable {
        /// Every place is taken by a connection that has sent a request.
        case total
        /// The source holds its share already.
        case perAddress = "per_address"
    }

    private struct State {
        var open: [ObjectIdentifier: ConnectionSlot] = [:]
        var byAddress: [IPAddress: Int] = [:]
    }

    let limit: Int
    /// 0 for no limit per source.
    let limitPerAddress: Int
    private let state = Mutex(State())

    init(limit: Int, limitPerAddress: Int = 0) {
        self.limit = limit
        self.limitPerAddress = limitPerAddress
    }

    /// Takes a place for `channel` from `address` (nil for a Unix socket), making room if it must
    /// and can; the evicted connection, if any, is closed here.
    func admit(_ channel: any Channel, from address: IPAddress?, at now: NIODeadline = .now()) -> Admission {
        let source = address?.accountingPrefix
        let admission: Admission = state.withLock { state in
            if let source, limitPerAddress > 0, state.byAddress[source, default: 0] >= limitPerAddress {
                return .refused(.perAddress)
            }
            var evicted: ConnectionSlot?
            if state.open.count >= limit {
                guard let oldest = Self.oldestWithoutRequest(in: state.open) else { return .refused(.total) }
                Self.remove(oldest, from: &state, limitPerAddress: limitPerAddress)
                evicted = oldest
            }
            let slot = ConnectionSlot(channel: channel, source: source, openedAt: now)
            state.open[ObjectIdentifier(slot)] = slot
            if let source, limitPerAddress > 0 { state.byAddress[source, default: 0] += 1 }
            return .admitted(slot, evicted: evicted)
        }
        if case .admitted(_, let evicted?) = admission { evicted.channel.close(promise: nil) }
        return admission
    }

    /// Gives the slot's place back (a slot evicted earlier gave it back then).
    func release(_ slot: ConnectionSlot) {
        state.withLock { state in Self.remove(slot, from: &state, limitPerAddress: limitPerAddress) }
    }

    /// Connections open now, as counted.
    var count: Int { state.withLock { $0.open.count } }

    private static func remove(_ slot: ConnectionSlot, from state: inout State, limitPerAddress: Int) {
        guard state.open.removeValue(forKey: ObjectIdentifier(slot)) != nil else { return }
        guard let source = slot.source, limitPerAddress > 0, let open = state.byAddress[source] else { return }
        state.byAddress[source] = open > 1 ? open - 1 : nil
    }

    /// A scan, but only when the budget is full; it runs under the lock, about 10 µs for 4,096.
    private static func oldestWithoutRequest(in open: [ObjectIdentifier: ConnectionSlot]) -> ConnectionSlot? {
        var oldest: ConnectionSlot?
        for slot in open.values where !slot.hasSentRequest {
            if oldest.map({ slot.openedAt < $0.openedAt }) ?? true { oldest = slot }
        }
        return oldest
    }
}
