import ExtrasBase64
import IntakeModel

/// A JWS in compact serialization (RFC 7515 §7.1), split and decoded strictly, before any key is
/// looked at:
///
/// - exactly three parts; each is canonical base64url without padding, so one token has one
///   spelling (a part whose unused trailing bits are set, or that decodes to other bytes than it
///   re-encodes from, is refused);
/// - header and payload are JSON objects in UTF-8 with no member named twice (RFC 7519 §4);
/// - the header names no critical extension (`crit`, RFC 7515 §4.1.11: we understand none) and no
///   key source (`jku`, `jwk`, `x5u`, `x5c`): the verifier's own keys are the only ones it uses.
///
/// Our own rather than jwt-kit's `DefaultJWTParser`, which the verifier used before: tried with
/// the key in hand, that parser accepted a `crit` header, duplicate claims (first wins), invalid
/// UTF-8 in the payload and non-canonical base64url (AccessTokenStrictnessTests has each case).
///
/// ```swift
/// let jws = try CompactJWS(parsing: Array(token.utf8))
/// jws.header["kid"]
/// ```
struct CompactJWS {
    /// Header members that make the token unacceptable whatever their value.
    static let refusedHeaderMembers = ["crit", "jku", "jwk", "x5u", "x5c"]

    let header: [String: JSONValue]
    let payload: [String: JSONValue]
    /// `base64url(header) "." base64url(payload)`: what the signature covers.
    let signingInput: ArraySlice<UInt8>
    let signature: [UInt8]

    init(parsing token: [UInt8]) throws(AccessTokenError) {
        let period = UInt8(ascii: ".")
        guard let first = token.firstIndex(of: period), let last = token.lastIndex(of: period), first != last,
            !token[(first + 1)..<last].contains(period)
        else { throw .malformed }
        guard let headerBytes = Self.decode(token[..<first]), let payloadBytes = Self.decode(token[(first + 1)..<last]),
            let signature = Self.decode(token[(last + 1)...])
        else { throw .malformed }
        guard case .object(let header)? = try? JSONValue(parsingRejectingDuplicateNames: headerBytes),
            case .object(let payload)? = try? JSONValue(parsingRejectingDuplicateNames: payloadBytes)
        else { throw .malformed }
        if let refused = Self.refusedHeaderMembers.first(where: { header[$0] != nil }) {
            throw .refusedHeader(refused)
        }
        self.header = header
        self.payload = payload
        self.signingInput = token[..<last]
        self.signature = signature
    }

    /// The bytes of a canonical, unpadded base64url part, or nil.
    private static func decode(_ part: ArraySlice<UInt8>) -> [UInt8]? {
        guard part.count % 4 != 1,
            part.allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default:
                    false
                }
            }),
            let decoded = try? Base64.decode(bytes: part, options: [.base64UrlAlphabet, .omitPaddingCharacter]),
            Base64.encodeToBytes(bytes: decoded, options: [.base64UrlAlphabet, .omitPaddingCharacter]).elementsEqual(part)
        else { return nil }
        return decoded
    }
}
