/// Why an access token was refused; ``description`` is safe to send as `error_description`
/// (it never repeats the token).
package enum AccessTokenError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLong
    case malformed
    /// The header has a member that makes any token unacceptable (`crit`, `jku`, `jwk`, `x5u`, `x5c`).
    case refusedHeader(String)
    case algorithmNotAllowed
    case wrongType
    case unknownKey
    case badSignature
    case wrongIssuer
    case wrongAudience
    case expired
    case notYetValid
    case issuedInFuture
    case lifetimeTooLong
    case clientNotActive
    case revoked

    package var description: String {
        switch self {
        case .tooLong: "The access token is longer than \(AccessTokenVerifier.maximumLength) bytes"
        case .malformed: "The access token is not a well-formed JWT"
        case .refusedHeader(let name): "The access token's header has \(name), which this server does not accept"
        case .algorithmNotAllowed: "The access token's alg is not the algorithm of its key"
        case .wrongType: "The access token's typ is not at+jwt"
        case .unknownKey: "The access token is signed with an unknown key"
        case .badSignature: "The access token's signature is invalid"
        case .wrongIssuer: "The access token was issued by another issuer"
        case .wrongAudience: "The access token is not meant for this API"
        case .expired: "The access token expired"
        case .notYetValid: "The access token is not valid yet"
        case .issuedInFuture: "The access token was issued in the future"
        case .lifetimeTooLong: "The access token's lifetime is longer than this server allows"
        case .clientNotActive: "The access token's client is disabled or deleted"
        case .revoked: "The access token was revoked"
        }
    }
}
