import Crypto
import ExtrasBase64
import Foundation
import IntakeCore

/// Builds JWTs by hand (swift-crypto HMAC, base64url), so that tests can present the verifier and
/// the server with tokens no honest issuer would produce: other algorithms and types, other keys
/// and issuers, extreme times, malformed parts.
///
/// ```swift
/// let token = TokenForge(key: key).token(header: TokenForge.header(kid: key.id), claims: TokenForge.claims())
/// let forged = TokenForge(key: key).token(header: TokenForge.header(alg: "HS512", kid: key.id), claims: claims, signature: .hs512)
/// ```
package struct TokenForge: Sendable {
    /// Defaults of ``claims(iss:aud:sub:clientID:iat:exp:nbf:jti:scope:)``, for verifier tests.
    package static let issuer = "https://issuer.intake.test"
    package static let audience = "https://api.intake.test"
    package static let now: Int64 = 1_700_000_000
    /// The issuer (and audience) of the test servers, the default of ``claims(for:issuer:audience:issuedAt:lifetime:expiresAt:notBefore:scope:jti:)``.
    package static let serverIssuer = "http://intake.test"

    package enum Signature: Sendable {
        /// HMAC-SHA256 with the forge's key.
        case hs256
        /// HMAC-SHA512 with the same key.
        case hs512
        /// An empty signature (`alg=none`).
        case none
        /// 256 bytes, as an RS256 signature would look.
        case fakeRSA
        /// This text as the third part.
        case raw(String)
    }

    package let key: [UInt8]

    package init(key: SigningKey) { self.key = key.bytes }

    package init(keyBytes: [UInt8]) { self.key = keyBytes }

    package func token(header: String, claims: String, signature: Signature = .hs256) -> String {
        let signingInput = Self.base64URL(header) + "." + Self.base64URL(claims)
        let encoded: String
        switch signature {
        case .hs256:
            encoded = Self.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: key))))
        case .hs512:
            encoded = Self.base64URL(Array(HMAC<SHA512>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: key))))
        case .none:
            encoded = ""
        case .fakeRSA:
            encoded = Self.base64URL((0..<256).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        case .raw(let text):
            encoded = text
        }
        return signingInput + "." + encoded
    }

    /// A correctly signed token for `key`, with the given claims.
    package static func signed(_ claims: String, key: SigningKey, typ: String = "at+jwt") -> String {
        TokenForge(key: key).token(header: header(typ: typ, kid: key.id), claims: claims)
    }

    /// A token signed by `key` with its own algorithm (any of them), with this exact header text
    /// (by default `alg`, `typ` and `kid` as Intake writes them).
    package static func signed(_ claims: String, by key: SigningKey, header: String? = nil) throws -> String {
        let header = header ?? Self.header(alg: key.algorithm.rawValue, kid: key.id)
        let signingInput = base64URL(header) + "." + base64URL(claims)
        return signingInput + "." + base64URL(try key.signature(for: Array(signingInput.utf8)))
    }

    package static func header(alg: String = "HS256", typ: String? = "at+jwt", kid: String?) -> String {
        var members = [#""alg":"\#(alg)""#]
        if let typ { members.append(#""typ":"\#(typ)""#) }
        if let kid { members.append(#""kid":"\#(kid)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Claims in the order Intake writes them; `aud` is raw JSON (a string or an array), `exp`
    /// defaults to an hour after `iat`.
    package static func claims(
        iss: String = issuer, aud: String = #""\#(audience)""#, sub: String = "client-1",
        clientID: String = "client-1", iat: Int64 = now, exp: Int64? = nil, nbf: Int64? = nil,
        jti: String = "jti-1", scope: String? = "events:write"
    ) -> String {
        var members = [
            #""iss":"\#(iss)""#, #""aud":\#(aud)"#, #""sub":"\#(sub)""#, #""client_id":"\#(clientID)""#,
            #""iat":\#(iat)"#, #""exp":\#(exp ?? iat &+ 3600)"#,
        ]
        if let nbf { members.append(#""nbf":\#(nbf)"#) }
        members.append(#""jti":"\#(jti)""#)
        if let scope { members.append(#""scope":"\#(scope)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Claims of a token a test server would accept for `clientID`, issued now, unless told otherwise.
    package static func claims(
        for clientID: String, issuer: String = serverIssuer, audience: String = serverIssuer,
        issuedAt: Int64 = Int64(Date().timeIntervalSince1970), lifetime: Int64 = 3600, expiresAt: Int64? = nil,
        notBefore: Int64? = nil, scope: String = "events:write events:read", jti: String = UUID().uuidString
    ) -> String {
        claims(
            iss: issuer, aud: #""\#(audience)""#, sub: clientID, clientID: clientID, iat: issuedAt,
            exp: expiresAt ?? issuedAt &+ lifetime, nbf: notBefore, jti: jti, scope: scope)
    }

    package static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    package static func base64URL(_ text: String) -> String { base64URL(Array(text.utf8)) }

    package static func decodeBase64URL(_ text: some StringProtocol) throws -> [UInt8] {
        try Base64.decode(string: String(text), options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// The decoded JSON of one of a token's first two parts.
    package static func json(part index: Int, of token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let data = Data(try decodeBase64URL(parts[index]))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    package static func rawPart(_ index: Int, of token: String) throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return String(decoding: try decodeBase64URL(parts[index]), as: UTF8.self)
    }
}
