import Crypto
import JWTKit
import Synchronization

/// Checks access tokens the way RFC 8725 and RFC 9068 §4 ask a resource server to.
///
/// - the algorithm is pinned to the key (HS256): the header's `alg` is checked against it, never
///   trusted, so `none`, `HS512` or `RS256` are refused;
/// - `typ` is `at+jwt` (or `application/at+jwt`), `kid` names one of our keys, `iss` matches exactly,
///   `aud` contains ours, `exp`/`nbf`/`iat` hold within ``leeway``, and the token claims no longer a
///   lifetime than ``maximumLifetime`` (an honest issuer never does);
/// - every time comparison saturates instead of overflowing, so no claim value (`Int64.max`,
///   `Int64.min`) can trap the process;
/// - tokens longer than ``maximumLength`` are refused before any decoding.
///
/// A verified token is remembered until it expires, so a client that reuses its token (as it should)
/// pays for JSON decoding once, not on every request.
///
/// ```swift
/// let verifier = AccessTokenVerifier(keys: [key], issuer: "https://api.example.com", audience: "https://api.example.com")
/// let claims = try verifier.verify(bearerToken)
/// ```
package final class AccessTokenVerifier: Sendable {
    package static let maximumLength = 4096
    package static let leeway: Int64 = 60
    /// The longest lifetime any Intake server issues (`intake serve --token-ttl` at most). A fixed
    /// bound rather than this server's own lifetime, so instances with different `--token-ttl`
    /// behind one load balancer still accept each other's tokens.
    package static let maximumLifetime: Int64 = 86_400
    /// Verified tokens kept before the cache is swept.
    static let cacheCapacity = 50_000

    /// Accepted keys by `kid`; every key is HS256, the one algorithm allowed.
    private let keys: [String: SymmetricKey]
    private let issuer: String
    private let audience: String
    private let verified = Mutex<[String: AccessTokenClaims]>([:])

    package init(keys: [SigningKey], issuer: String, audience: String) {
        self.keys = Dictionary(keys.map { ($0.id, SymmetricKey(data: $0.bytes)) }, uniquingKeysWith: { first, _ in first })
        self.issuer = issuer
        self.audience = audience
    }

    /// The claims of `token` if it passes every check at `now`.
    package func verify(_ token: String, now: Int64 = UnixTime.now()) throws(AccessTokenError) -> AccessTokenClaims {
        if let claims = verified.withLock({ $0[token] }) {
            try Self.checkTimes(claims, now: now)
            return claims
        }
        let claims = try verifyUncached(token)
        try Self.checkTimes(claims, now: now)
        verified.withLock { cache in
            if cache.count >= Self.cacheCapacity {
                let oldestKept = now.saturatingSubtracting(Self.leeway)
                cache = cache.filter { $0.value.expiresAt > oldestKept }
                if cache.count >= Self.cacheCapacity { cache.removeAll(keepingCapacity: true) }
            }
            cache[token] = claims
        }
        return claims
    }

    private func verifyUncached(_ token: String) throws(AccessTokenError) -> AccessTokenClaims {
        guard token.utf8.count <= Self.maximumLength else { throw .tooLong }
        let bytes = Array(token.utf8)
        let header: JWTHeader
        let payload: AccessTokenPayload
        let signature: [UInt8]
        do {
            let parsed = try DefaultJWTParser().parse(bytes, as: AccessTokenPayload.self)
            (header, payload, signature) = (parsed.header, parsed.payload, Array(parsed.signature))
        } catch {
            throw .malformed
        }
        guard header.alg == "HS256" else { throw .algorithmNotAllowed }
        guard let type = header.typ?.lowercased(), type == "at+jwt" || type == "application/at+jwt" else {
            throw .wrongType
        }
        guard let keyID = header.kid, let key = keys[keyID] else { throw .unknownKey }
        guard let lastPeriod = bytes.lastIndex(of: UInt8(ascii: ".")),
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: bytes[..<lastPeriod], using: key)
        else {
            throw .badSignature
        }
        guard payload.iss == issuer else { throw .wrongIssuer }
        guard payload.aud.value.contains(audience) else { throw .wrongAudience }
        let scopes: ScopeSet
        do {
            scopes = try ScopeSet(parsing: payload.scope ?? "")
        } catch {
            throw .malformed
        }
        return AccessTokenClaims(
            issuer: payload.iss, subject: payload.sub, clientID: payload.client_id, audience: payload.aud.value,
            issuedAt: payload.iat, expiresAt: payload.exp, notBefore: payload.nbf, tokenID: payload.jti, scopes: scopes
        )
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
}
