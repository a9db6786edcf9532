import Crypto
import ExtrasBase64
import Foundation
import IntakeCore

/// Builds JWTs by hand (swift-crypto HMAC + ExtrasBase64 base64url), so that the verifier can be fed
/// tokens no honest issuer would produce.
enum TokenForge {
    static let issuer = "https://issuer.intake.test"
    static let audience = "https://api.intake.test"
    static let now: Int64 = 1_700_000_000

    static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    static func base64URL(_ text: String) -> String { base64URL(Array(text.utf8)) }

    static func decodeBase64URL(_ text: some StringProtocol) throws -> [UInt8] {
        try Base64.decode(string: String(text), options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    enum Signature {
        case hs256([UInt8])
        case hs512([UInt8])
        case raw(String)
    }

    static func header(alg: String = "HS256", typ: String? = "at+jwt", kid: String?) -> String {
        var members = [#""alg":"\#(alg)""#]
        if let typ { members.append(#""typ":"\#(typ)""#) }
        if let kid { members.append(#""kid":"\#(kid)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func claims(
        iss: String = issuer, aud: String = #""\#(audience)""#, sub: String = "client-1",
        clientID: String = "client-1", iat: Int64 = now, exp: Int64? = nil, nbf: Int64? = nil,
        jti: String = "jti-1", scope: String? = "events:write"
    ) -> String {
        var members = [
            #""iss":"\#(iss)""#, #""aud":\#(aud)"#, #""sub":"\#(sub)""#, #""client_id":"\#(clientID)""#,
            #""iat":\#(iat)"#, #""exp":\#(exp ?? iat + 3600)"#, #""jti":"\#(jti)""#,
        ]
        if let nbf { members.append(#""nbf":\#(nbf)"#) }
        if let scope { members.append(#""scope":"\#(scope)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func token(header: String, claims: String, signature: Signature) -> String {
        let signingInput = base64URL(header) + "." + base64URL(claims)
        let encodedSignature: String
        switch signature {
        case .hs256(let key):
            encodedSignature = base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: key))))
        case .hs512(let key):
            encodedSignature = base64URL(Array(HMAC<SHA512>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: key))))
        case .raw(let text):
            encodedSignature = text
        }
        return signingInput + "." + encodedSignature
    }

    /// A correctly signed token for `key`, with the given claims.
    static func signed(_ claims: String, key: SigningKey, typ: String = "at+jwt") -> String {
        token(header: header(typ: typ, kid: key.id), claims: claims, signature: .hs256(key.bytes))
    }

    /// The decoded JSON of one of a token's first two parts.
    static func json(part index: Int, of token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let data = Data(try decodeBase64URL(parts[index]))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    static func rawPart(_ index: Int, of token: String) throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return String(decoding: try decodeBase64URL(parts[index]), as: UTF8.self)
    }
}
