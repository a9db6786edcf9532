import IntakeCore
import IntakeModel
import Logging
import Synchronization

/// The keys this server signs and verifies with, kept in step with the key set in the database:
/// the active key signs, the active and retiring keys verify, and the asymmetric ones are
/// published as the JWKS.
///
/// ``refresh()`` runs every poll of ``RegistryRefreshService`` (a rotation made by the CLI or
/// another instance signs here within one interval) and when a token names a `kid` this server
/// does not know yet (see ``BearerAuthenticator``): an instance behind a load balancer accepts a
/// token from a sibling that rotated first. With `INTAKE_SIGNING_KEY` the ring holds that one
/// key and never changes.
///
/// ```swift
/// let ring = try await KeyRing(manager: manager, firstAlgorithm: .es256, issuer: issuer, lifetime: 3600, logger: logger)
/// let token = try ring.issuer.issue(clientID: id, scopes: scopes)
/// ```
final class KeyRing: Sendable {
    /// A refresh waits this long for the database at most.
    static let refreshTimeout: Duration = .seconds(2)

    private struct Current {
        var issuer: AccessTokenIssuer
        var fingerprint: [String]
        var jwks: [UInt8]
    }

    let verifier: AccessTokenVerifier
    /// Nil for a fixed key.
    private let manager: KeyManager?
    private let issuerURL: String
    private let lifetime: Int64
    private let logger: Logger
    private let current: Mutex<Current>

    /// A ring of one key that never changes (`INTAKE_SIGNING_KEY`).
    convenience init(fixed key: SigningKey, issuer: String, lifetime: Int64, logger: Logger) {
        self.init(keys: KeySet(fixed: key), manager: nil, issuer: issuer, lifetime: lifetime, logger: logger)
    }

    /// The ring of the database's key set; a first start makes a key of `firstAlgorithm`.
    convenience init(
        manager: KeyManager, firstAlgorithm: SigningAlgorithm, issuer: String, lifetime: Int64, logger: Logger
    ) async throws {
        try await manager.announceTokenLifetime(lifetime)
        try await manager.ensureActiveKey(algorithm: firstAlgorithm)
        let keys = try manager.keySet(from: try await manager.maintain(), now: UnixTime.now())
        self.init(keys: keys, manager: manager, issuer: issuer, lifetime: lifetime, logger: logger)
    }

    private init(keys: KeySet, manager: KeyManager?, issuer: String, lifetime: Int64, logger: Logger) {
        self.manager = manager
        self.issuerURL = issuer
        self.lifetime = lifetime
        self.logger = logger
        self.verifier = AccessTokenVerifier(keys: keys.verification, issuer: issuer, audience: issuer)
        self.current = Mutex(Self.current(for: keys, issuer: issuer, lifetime: lifetime))
    }

    /// Whether the keys can change (they come from the database).
    var followsDatabase: Bool { manager != nil }

    /// Signs with the active key.
    var issuer: AccessTokenIssuer { current.withLock { $0.issuer } }

    /// `{"keys": […]}`: the public keys that verify now (RFC 7517).
    var jwks: [UInt8] { current.withLock { $0.jwks } }

    /// Carries out what is due and takes up the key set as it now is in the database; on failure
    /// (database unreachable, a key that cannot be opened) it keeps the keys it has and logs why.
    func refresh() async {
        guard let manager else { return }
        do {
            let now = UnixTime.now()
            let rows = try await withDeadline(Self.refreshTimeout) { try await manager.maintain(now: now) }
            let fingerprint = KeySet.fingerprint(of: KeyLifecycle.verifying(rows, now: now))
            guard fingerprint != current.withLock({ $0.fingerprint }) else { return }
            let keys = try manager.keySet(from: rows, now: now)
            verifier.replaceKeys(keys.verification)
            current.withLock { $0 = Self.current(for: keys, issuer: issuerURL, lifetime: lifetime) }
            logger.info("Signing keys changed", metadata: ["kid": "\(keys.signing.id)", "alg": "\(keys.signing.algorithm.rawValue)"])
        } catch {
            logger.warning("Could not refresh the signing keys", metadata: ["error": "\(error)"])
        }
    }

    private static func current(for keys: KeySet, issuer: String, lifetime: Int64) -> Current {
        var jwks = Array(#"{"keys":["#.utf8)
        for (index, key) in keys.published.enumerated() {
            guard let jwk = key.jwk else { continue }
            if index > 0 { jwks.append(UInt8(ascii: ",")) }
            jwks.append(contentsOf: jwk)
        }
        jwks.append(contentsOf: "]}".utf8)
        return Current(
            issuer: AccessTokenIssuer(key: keys.signing, issuer: issuer, audience: issuer, lifetime: lifetime),
            fingerprint: keys.fingerprint, jwks: jwks)
    }
}
