import Crypto
import Foundation
import IntakeCore
import IntakeModel

/// base64url without padding (RFC 7515 §2).
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func encode(_ text: String) -> String { encode(Array(text.utf8)) }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }

    static func decodeText(_ text: some StringProtocol) -> String? {
        decode(text).flatMap { String(bytes: $0, encoding: .utf8) }
    }
}

/// Builds JWTs by hand, so that tests can present the server with tokens it never issued:
/// other algorithms, other types, other keys, other issuers, expired ones.
struct TokenForge {
    enum Signature {
        /// HMAC-SHA256 with the forge's key.
        case hs256
        /// HMAC-SHA512 with the same key.
        case hs512
        /// An empty signature (`alg=none`).
        case none
        /// 256 random-looking bytes, as an RS256 signature would look.
        case fakeRSA
    }

    let key: [UInt8]

    init(key: SigningKey) { self.key = key.bytes }

    init(keyBytes: [UInt8]) { self.key = keyBytes }

    func token(header: String, claims: String, signature: Signature = .hs256) -> String {
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(claims)
        let signatureBytes: [UInt8]
        switch signature {
        case .hs256:
            signatureBytes = Array(
                HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: key)))
        case .hs512:
            signatureBytes = Array(
                HMAC<SHA512>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: key)))
        case .none:
            signatureBytes = []
        case .fakeRSA:
            signatureBytes = (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        }
        return signingInput + "." + Base64URL.encode(signatureBytes)
    }

    static func header(alg: String = "HS256", typ: String? = "at+jwt", kid: String?) -> String {
        var members = [#""alg":"\#(alg)""#]
        if let typ { members.append(#""typ":"\#(typ)""#) }
        if let kid { members.append(#""kid":"\#(kid)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func claims(
        clientID: String, issuer: String = TestServer.issuer, audience: String = TestServer.issuer,
        issuedAt: Int64 = Int64(Date().timeIntervalSince1970), lifetime: Int64 = 3600,
        scope: String = "events:write events:read", jti: String = UUID().uuidString
    ) -> String {
        #"{"iss":"\#(issuer)","aud":"\#(audience)","sub":"\#(clientID)","client_id":"\#(clientID)","iat":\#(issuedAt),"exp":\#(issuedAt + lifetime),"jti":"\#(jti)","scope":"\#(scope)"}"#
    }

    /// Claims with every time given outright, for values whose sum would overflow (`Int64.max`).
    static func claims(
        clientID: String, iat: Int64, exp: Int64, nbf: Int64? = nil, scope: String = "events:write events:read"
    ) -> String {
        let notBefore = nbf.map { #","nbf":\#($0)"# } ?? ""
        return #"{"iss":"\#(TestServer.issuer)","aud":"\#(TestServer.issuer)","sub":"\#(clientID)","client_id":"\#(clientID)","iat":\#(iat),"exp":\#(exp)\#(notBefore),"jti":"\#(UUID().uuidString)","scope":"\#(scope)"}"#
    }
}

/// The three parts of a compact JWT, decoded.
struct DecodedToken {
    var headerText: String
    var claimsText: String
    var claims: JSONValue
    var signature: [UInt8]

    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let header = Base64URL.decodeText(parts[0]),
            let claimsText = Base64URL.decodeText(parts[1]),
            let claims = try? JSONValue.parse(claimsText),
            let signature = Base64URL.decode(parts[2])
        else { return nil }
        self.headerText = header
        self.claimsText = claimsText
        self.claims = claims
        self.signature = signature
    }
}
