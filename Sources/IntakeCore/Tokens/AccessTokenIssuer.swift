import ExtrasBase64
import IntakeModel

/// Issues JWT access tokens (RFC 9068) for authenticated clients, signed with one key of any
/// ``SigningAlgorithm``.
///
/// The header is fixed per key, so it is encoded once; the claims are written straight into a byte
/// buffer. Going through jwt-kit's serializer would cost a `JSONEncoder` pass per token (fractional
/// `iat`/`exp`, escaped `/`, unordered header keys) and most of the token endpoint's CPU time; the
/// output here is a plain compact JWS that jwt-kit verifies as any other.
///
/// ```swift
/// let issuer = AccessTokenIssuer(key: key, issuer: "http://127.0.0.1:8080", audience: "http://127.0.0.1:8080", lifetime: 3600)
/// let token = try issuer.issue(clientID: client.id, scopes: client.scopes)
/// ```
package struct AccessTokenIssuer: Sendable {
    package let lifetime: Int64
    package let key: SigningKey
    /// `base64url(header) + "."`
    private let encodedHeader: [UInt8]
    /// `{"iss":…,"aud":…`
    private let claimsPrefix: [UInt8]

    package init(key: SigningKey, issuer: String, audience: String, lifetime: Int64) {
        self.lifetime = lifetime
        self.key = key
        var header: [UInt8] = []
        JSONWriter.appendObjectStart(&header)
        // `alg` first: the published API's tokens start `eyJhbGciOiJIUzI1NiIs` and clients look for it.
        JSONWriter.appendMember("alg", string: key.algorithm.rawValue, to: &header)
        JSONWriter.appendMember("typ", string: "at+jwt", to: &header)
        JSONWriter.appendMember("kid", string: key.id, to: &header)
        JSONWriter.appendObjectEnd(&header)
        self.encodedHeader = Base64.encodeToBytes(bytes: header, options: [.base64UrlAlphabet, .omitPaddingCharacter]) + [UInt8(ascii: ".")]
        var prefix: [UInt8] = []
        JSONWriter.appendObjectStart(&prefix)
        JSONWriter.appendMember("iss", string: issuer, to: &prefix)
        JSONWriter.appendMember("aud", string: audience, to: &prefix)
        self.claimsPrefix = prefix
    }

    /// A signed token for `clientID` with `scopes`, valid from `now` for ``lifetime`` seconds.
    package func issue(clientID: String, scopes: ScopeSet, lifetime: Int64? = nil, now: Int64 = UnixTime.now()) throws -> String {
        var token: [UInt8] = []
        try appendToken(clientID: clientID, scopes: scopes, lifetime: lifetime, now: now, to: &token)
        return String(decoding: token, as: UTF8.self)
    }

    /// Appends the compact token to `out`, for responses written straight into bytes.
    /// `lifetime` (a client's own, shorter one) replaces ``lifetime`` when given.
    package func appendToken(
        clientID: String, scopes: ScopeSet, lifetime: Int64? = nil, now: Int64 = UnixTime.now(), to out: inout [UInt8]
    ) throws {
        var claims = claimsPrefix
        claims.reserveCapacity(claimsPrefix.count + 2 * clientID.utf8.count + 160)
        JSONWriter.appendMember("sub", string: clientID, to: &claims)
        JSONWriter.appendMember("client_id", string: clientID, to: &claims)
        JSONWriter.appendMember("iat", integer: now, to: &claims)
        // Saturating: a caller-supplied `now` or lifetime near the Int64 bounds must not trap.
        JSONWriter.appendMember("exp", integer: now.saturatingAdding(lifetime ?? self.lifetime), to: &claims)
        JSONWriter.appendMember("jti", string: Self.makeTokenID(), to: &claims)
        JSONWriter.appendMember("scope", string: scopes.description, to: &claims)
        JSONWriter.appendObjectEnd(&claims)

        let start = out.count
        out.reserveCapacity(start + encodedHeader.count + claims.count * 4 / 3 + 48)
        out.append(contentsOf: encodedHeader)
        out.append(contentsOf: Base64.encodeToBytes(bytes: claims, options: [.base64UrlAlphabet, .omitPaddingCharacter]))
        let signature = try key.signature(for: out[start...])
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: Base64.encodeToBytes(bytes: signature, options: [.base64UrlAlphabet, .omitPaddingCharacter]))
    }

    /// 128 random bits, base64url: unique per token (RFC 9068 `jti`).
    private static func makeTokenID() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeBytes(of: words) {
            Base64.encodeToString(bytes: $0, options: [.base64UrlAlphabet, .omitPaddingCharacter])
        }
    }
}
