import IntakeModel
import IntakeTestSupport

/// The three parts of a compact JWT, decoded.
struct DecodedToken {
    var headerText: String
    var claimsText: String
    var claims: JSONValue
    var signature: [UInt8]

    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let header = try? String(decoding: TokenForge.decodeBase64URL(parts[0]), as: UTF8.self),
            let claimsText = try? String(decoding: TokenForge.decodeBase64URL(parts[1]), as: UTF8.self),
            let claims = try? JSONValue.parse(claimsText),
            let signature = try? TokenForge.decodeBase64URL(parts[2])
        else { return nil }
        self.headerText = header
        self.claimsText = claimsText
        self.claims = claims
        self.signature = signature
    }
}
