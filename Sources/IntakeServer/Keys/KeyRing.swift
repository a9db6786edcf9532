import CoreMetrics
import IntakeCore
import IntakeModel
import Logging
import Synchronization

/// The keys this server signs and verifies with, kept in step with the key set in the database:
/// the active key signs, the active and retiring keys verify, and the asymmetric ones are
/// published as the JWKS.
///
/// ``checkForChanges()`` runs every poll of ``ChangeFollowingService`` (a rotation made by the CLI
/// or another instance signs here within one interval) and when a token names a `kid` this server
/// does not know yet (see ``BearerAuthenticator``): an instance behind a load balancer accepts a
/// token from a sibling that rotated first. Checks are shared and never overlap, at most one per
/// ``minimumCheckInterval``. A retiring key stops verifying at its time even while the database
/// cannot be read. With `INTAKE_SIGNING_KEY` the ring holds that one key and never changes.
///
/// ```swift
/// let ring = try await KeyRing(
///     manager: manager, firstAlgorithm: .es256, issuer: issuer, lifetime: 3600, rotations: metrics.keyRotations, logger: logger)
/// let token = try ring.issuer.issue(clientID: id, scopes: scopes)
/// ```
final class KeyRing: Sendable {
    /// A refresh waits this long for the database at most.
    static let refreshTimeout: Duration = .seconds(2)
    /// Tokens naming unknown `kid`s make at most ten key set reads a second between them.
    static let minimumCheckInterval: Duration = .milliseconds(100)

    private struct Current {
        var keys: KeySet
        var issuer: AccessTokenIssuer
        var jwks: [UInt8]
    }

    let verifier: AccessTokenVerifier
    /// Nil for a fixed key.
    private let manager: KeyManager?
    private let issuerURL: String
    private let lifetime: Int64
    private let logger: Logger
    /// Counts each time another key begins to sign here.
    private let rotations: Counter
    private let current: Mutex<Current>
    private let check = CoalescedCheck(minimumInterval: minimumCheckInterval)

    /// A ring of one key that never changes (`INTAKE_SIGNING_KEY`).
    convenience init(fixed key: SigningKey, issuer: String, lifetime: Int64, rotations: Counter, logger: Logger) {
        self.init(keys: KeySet(fixed: key), manager: nil, issuer: issuer, lifetime: lifetime, rotations: rotations, logger: logger)
    }

    /// The ring of the database's key set; a first start makes a key of `firstAlgorithm`.
    convenience init(
        manager: KeyManager, firstAlgorithm: SigningAlgorithm, issuer: String, lifetime: Int64, rotations: Counter,
        logger: Logger
    ) async throws {
        try await manager.announceTokenLifetime(lifetime)
        try await manager.ensureActiveKey(algorithm: firstAlgorithm)
        let keys = try manager.keySet(from: try await manager.maintain(), now: UnixTime.now())
        self.init(keys: keys, manager: manager, issuer: issuer, lifetime: lifetime, rotations: rotations, logger: logger)
    }

    private init(keys: KeySet, manager: KeyManager?, issuer: String, lifetime: Int64, rotations: Counter, logger: Logger) {
        self.manager = manager
        self.rotations = rotations
        self.issuerURL = issuer
        self.lifetime = lifetime
        self.logger = logger
        self.verifier = AccessTokenVerifier(keys: keys.verification, issuer: issuer, audience: issuer)
        self.current = Mutex(Self.current(for: keys, issuer: issuer, lifetime: lifetime, now: UnixTime.now()))
    }

    /// Whether the keys can change (they come from the database).
    var followsDatabase: Bool { manager != nil }

    /// Signs with the active key.
    var issuer: AccessTokenIssuer { current.withLock { $0.issuer } }

    /// `{"keys": […]}`: the public keys that verify now (RFC 7517).
    var jwks: [UInt8] { current.withLock { $0.jwks } }

    /// The claims of `token`; a `kid` not known here is looked up in the database once (a sibling
    /// may have rotated first) before the token is refused.
    func verify(_ token: String) async throws(AccessTokenError) -> AccessTokenClaims {
        do {
            return try verifier.verify(token)
        } catch .unknownKey where followsDatabase {
            await checkForChanges()
            return try verifier.verify(token)
        }
    }

    /// Returns after a refresh that began after this call (see ``refresh()``).
    func checkForChanges() async {
        guard manager != nil else { return }
        await check.run { await self.refresh() }
    }

    /// Carries out what is due and takes up the key set as it now is in the database. On failure
    /// (database unreachable, a key that cannot be opened) it keeps the keys it has, less those
    /// whose time is up, and logs why.
    private func refresh() async {
        guard let manager else { return }
        let now = UnixTime.now()
        do {
            let rows = try await withDeadline(Self.refreshTimeout) { try await manager.maintain(now: now) }
            let fingerprint = KeySet.fingerprint(of: KeyLifecycle.verifying(rows, now: now))
            guard fingerprint != current.withLock({ $0.keys.fingerprint }) else { return }
            let keys = try manager.keySet(from: rows, now: now)
            let previousSigner = current.withLock { $0.keys.signing.id }
            install(keys, now: now)
            if keys.signing.id != previousSigner { rotations.increment() }
            logger.info("Signing keys changed", metadata: ["kid": "\(keys.signing.id)", "alg": "\(keys.signing.algorithm.rawValue)"])
        } catch {
            if !(error is CancellationError) {
                logger.warning("Could not refresh the signing keys", metadata: ["error": "\(error)"])
            }
            let keys = current.withLock { $0.keys }
            if keys.verification(at: now).count != keys.verification.count { install(keys, now: now) }
        }
    }

    private func install(_ keys: KeySet, now: Int64) {
        let next = Self.current(for: keys, issuer: issuerURL, lifetime: lifetime, now: now)
        verifier.replaceKeys(keys.verification(at: now))
        current.withLock { $0 = next }
    }

    private static func current(for keys: KeySet, issuer: String, lifetime: Int64, now: Int64) -> Current {
        let published = keys.verification(at: now).filter(\.algorithm.isAsymmetric).compactMap(\.jwk)
        var jwks = Array(#"{"keys":["#.utf8)
        jwks.append(contentsOf: published.joined(separator: [UInt8(ascii: ",")]))
        jwks.append(contentsOf: "]}".utf8)
        return Current(
            keys: keys, issuer: AccessTokenIssuer(key: keys.signing, issuer: issuer, audience: issuer, lifetime: lifetime),
            jwks: jwks)
    }
}
