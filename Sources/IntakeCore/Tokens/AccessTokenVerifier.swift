import IntakeModel
import Synchronization

/// Checks access tokens the way RFC 8725 and RFC 9068 §4 ask a resource server to.
///
/// - the token is parsed strictly (``CompactJWS``): canonical base64url, UTF-8 JSON without
///   duplicate names, no `crit`, no `jku`/`jwk`/`x5u`/`x5c`;
/// - `kid` picks one of the current keys, and the algorithm is that key's: the header's `alg`
///   must name it, so `none`, an HS256 token carrying an RSA key's `kid`, or `HS512` are refused;
/// - `typ` is `at+jwt` (or `application/at+jwt`), `iss` matches exactly, `aud` contains ours,
///   `exp`/`nbf`/`iat` hold within ``leeway``, and the token claims no longer a lifetime than
///   ``maximumLifetime`` (an honest issuer never does);
/// - every time comparison saturates instead of overflowing, so no claim value (`Int64.max`,
///   `Int64.min`) can trap the process;
/// - tokens longer than ``maximumLength`` are refused before any decoding.
///
/// A verified token is remembered until it expires, so a client that reuses its token (as it should)
/// pays for the signature check and JSON decoding once, not on every request. A remembered token
/// stops verifying as soon as its key leaves the key set (``replaceKeys(_:)``).
///
/// ```swift
/// let verifier = AccessTokenVerifier(keys: [key.verificationKey], issuer: "https://api.example.com", audience: "https://api.example.com")
/// let claims = try verifier.verify(bearerToken)
/// ```
package final class AccessTokenVerifier: Sendable {
    package static let maximumLength = 4096
    package static let leeway: Int64 = 60
    /// The longest lifetime any Intake server issues (`intake serve --token-ttl` at most). A fixed
    /// bound rather than this server's own lifetime, so instances with different `--token-ttl`
    /// behind one load balancer still accept each other's tokens.
    package static let maximumLifetime: Int64 = 86_400
    /// RFC 9068 §4: `typ` is `at+jwt`, or the full media type, in any case.
    static let acceptedTypes: Set<String> = ["at+jwt", "application/at+jwt"]
    /// Verified tokens kept before the cache is swept.
    static let cacheCapacity = 50_000

    private struct State {
        /// Accepted keys by `kid`.
        var keys: [String: VerificationKey]
        var verified: [String: AccessTokenClaims] = [:]
    }

    private let issuer: String
    private let audience: String
    private let state: Mutex<State>

    package init(keys: [VerificationKey], issuer: String, audience: String) {
        self.issuer = issuer
        self.audience = audience
        self.state = Mutex(State(keys: Self.byID(keys)))
    }

    /// From now on, only `keys` verify; remembered tokens of other keys are forgotten.
    package func replaceKeys(_ keys: [VerificationKey]) {
        let byID = Self.byID(keys)
        state.withLock { state in
            state.keys = byID
            state.verified = state.verified.filter { byID[$0.value.keyID] != nil }
        }
    }

    /// The claims of `token` if it passes every check at `now`.
    package func verify(_ token: String, now: Int64 = UnixTime.now()) throws(AccessTokenError) -> AccessTokenClaims {
        if let remembered = state.withLock({ $0.verified[token] }) {
            try Self.checkTimes(remembered, now: now)
            return remembered
        }
        let claims = try verifyUncached(token, keys: state.withLock { $0.keys })
        try Self.checkTimes(claims, now: now)
        state.withLock { state in
            // A key replaced while this token was checked: not remembered, so it cannot outlive its key.
            guard state.keys[claims.keyID] != nil else { return }
            if state.verified.count >= Self.cacheCapacity {
                let oldestKept = now.saturatingSubtracting(Self.leeway)
                state.verified = state.verified.filter { $0.value.expiresAt > oldestKept }
                if state.verified.count >= Self.cacheCapacity { state.verified.removeAll(keepingCapacity: true) }
            }
            state.verified[token] = claims
        }
        return claims
    }

    private func verifyUncached(_ token: String, keys: [String: VerificationKey]) throws(AccessTokenError) -> AccessTokenClaims {
        guard token.utf8.count <= Self.maximumLength else { throw .tooLong }
        let jws = try CompactJWS(parsing: Array(token.utf8))
        guard case .string(let algorithm)? = jws.header["alg"], SigningAlgorithm(rawValue: algorithm) != nil else {
            throw .algorithmNotAllowed
        }
        guard case .string(let type)? = jws.header["typ"], Self.acceptedTypes.contains(type.lowercased()) else {
            throw .wrongType
        }
        // Every Intake token names its key; one without a `kid` is no token of ours.
        guard case .string(let keyID)? = jws.header["kid"] else { throw .malformed }
        guard let key = keys[keyID] else { throw .unknownKey }
        guard algorithm == key.algorithm.rawValue else { throw .algorithmNotAllowed }
        guard key.isValidSignature(jws.signature, for: jws.signingInput) else { throw .badSignature }
        let claims = try AccessTokenClaims(payload: jws.payload, keyID: keyID)
        guard claims.issuer == issuer else { throw .wrongIssuer }
        guard claims.audience.contains(audience) else { throw .wrongAudience }
        return claims
    }

    /// The claims come from the token, so each bound is computed from `now` and constants with
    /// saturating arithmetic, and claims are only ever compared, never added to.
    private static func checkTimes(_ claims: AccessTokenClaims, now: Int64) throws(AccessTokenError) {
        let latestInstant = now.saturatingAdding(leeway)
        guard claims.expiresAt > now.saturatingSubtracting(leeway) else { throw .expired }
        guard claims.issuedAt <= latestInstant else { throw .issuedInFuture }
        if let notBefore = claims.notBefore, notBefore > latestInstant { throw .notYetValid }
        // An `exp` further ahead than any Intake server issues, or an `iat` that puts the token's
        // lifetime beyond that, is no token of ours: refused rather than honoured for centuries.
        let maximumSpan = maximumLifetime.saturatingAdding(leeway)
        guard claims.expiresAt <= now.saturatingAdding(maximumSpan),
            claims.issuedAt >= claims.expiresAt.saturatingSubtracting(maximumSpan)
        else { throw .lifetimeTooLong }
    }

    private static func byID(_ keys: [VerificationKey]) -> [String: VerificationKey] {
        Dictionary(keys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
