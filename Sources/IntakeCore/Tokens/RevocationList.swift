import Synchronization

/// The in-memory revocations that `/v2` consults on every request, without a database read: a
/// revocation made here is in it at once, one made by another instance after that instance's
/// next poll reads the revocations stored after the last one seen (``lastSequence``), a handful
/// of rows at a time instead of the whole list.
///
/// Revocations leave as their tokens expire (``sweep(now:)``), which costs a look at the minutes
/// that have passed, not at the whole list.
///
/// ```swift
/// let revoked = RevocationList()
/// try await revoked.catchUp(with: store, now: now)
/// if revoked.covers(claims) { … }
/// ```
package final class RevocationList: Sendable {
    private struct State {
        /// Revoked token ids with their `exp`.
        var tokens: [String: Int64] = [:]
        /// Clients whose tokens issued at or before an instant are all revoked, until `expiresAt`.
        var clients: [String: (issuedAtOrBefore: Int64, expiresAt: Int64)] = [:]
        /// Token ids by the minute their revocation may be forgotten.
        var expiringByMinute: [Int64: [String]] = [:]
        var lastSequence: Int64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Revocations of tokens that expired before this are no longer needed: the verifier refuses
    /// those tokens anyway (its leeway included).
    package static func loadCutoff(now: Int64) -> Int64 { now.saturatingSubtracting(AccessTokenVerifier.leeway) }

    /// The sequence of the last stored revocation taken up (0 before any).
    package var lastSequence: Int64 { state.withLock { $0.lastSequence } }

    /// Token revocations held (client-wide ones not counted).
    package var count: Int { state.withLock { $0.tokens.count } }

    /// Whether the token these claims describe is revoked.
    package func covers(_ claims: AccessTokenClaims) -> Bool {
        state.withLock { state in
            if state.tokens[claims.tokenID] != nil { return true }
            guard !state.clients.isEmpty, let client = state.clients[claims.clientID] else { return false }
            return claims.issuedAt <= client.issuedAtOrBefore
        }
    }

    /// Takes up revocations read from the store in order: ``lastSequence`` moves on to the last.
    package func merge(_ revocations: [Revocation], now: Int64) {
        add(revocations, now: now, advancing: true)
    }

    /// Takes up a revocation just made here, ahead of the read that will bring it again. It does
    /// not move ``lastSequence``: another instance's revocation numbered before it may not have
    /// been read yet.
    package func insert(_ revocation: Revocation, now: Int64) {
        add([revocation], now: now, advancing: false)
    }

    /// Whether a client-wide revocation of this client is held.
    package func coversEveryEarlierToken(of clientID: String) -> Bool {
        state.withLock { $0.clients[clientID] != nil }
    }

    private func add(_ revocations: [Revocation], now: Int64, advancing: Bool) {
        let cutoff = Self.loadCutoff(now: now)
        state.withLock { state in
            for revocation in revocations {
                if advancing { state.lastSequence = max(state.lastSequence, revocation.sequence) }
                guard revocation.expiresAt > cutoff else { continue }
                switch revocation.scope {
                case .token(let id):
                    guard state.tokens.updateValue(revocation.expiresAt, forKey: id) == nil else { continue }
                    state.expiringByMinute[Self.minute(revocation.expiresAt), default: []].append(id)
                case .clientTokens(let instant):
                    let held = state.clients[revocation.clientID]
                    state.clients[revocation.clientID] = (
                        max(instant, held?.issuedAtOrBefore ?? .min), max(revocation.expiresAt, held?.expiresAt ?? .min)
                    )
                }
            }
        }
    }

    /// Forgets the revocations whose tokens have all expired by `now` (less the leeway).
    package func sweep(now: Int64) {
        let cutoff = Self.loadCutoff(now: now)
        state.withLock { state in
            // A minute's ids go once the whole minute is past the cutoff.
            for minute in state.expiringByMinute.keys where minute < Self.minute(cutoff) {
                for id in state.expiringByMinute.removeValue(forKey: minute) ?? [] { state.tokens[id] = nil }
            }
            if !state.clients.isEmpty { state.clients = state.clients.filter { $0.value.expiresAt > cutoff } }
        }
    }

    private static func minute(_ instant: Int64) -> Int64 { instant / 60 }
}
