import Crypto
import CryptoExtras
import ExtrasBase64
import IntakeModel

extension VerificationKey {
    /// Written here rather than with jwt-kit's JWK types: the keys are swift-crypto's own (jwt-kit
    /// would wrap them again, only to encode them), and IntakeCore needs no jwt-kit at all since
    /// tokens are parsed by ``CompactJWS``; the tests check the output with jwt-kit's
    /// `JWTKeyCollection` and CI with PyJWT.
    ///
    /// The public key as an RFC 7517 JWK (`kty`, `kid`, `alg`, `use`, then `n`/`e` for RSA,
    /// `crv`/`x`/`y` for P-256, `crv`/`x` for Ed25519 as RFC 8037 has it), or nil for an HS256
    /// key, whose secret must never be published.
    package var jwk: [UInt8]? {
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        switch material {
        case .hmac:
            return nil
        case .rsa(let key):
            guard let primitives = try? key.getKeyPrimitives() else { return nil }
            appendCommonMembers(keyType: "RSA", to: &out)
            JSONWriter.appendMember("n", string: Self.base64URL(Self.withoutLeadingZeros(Array(primitives.modulus))), to: &out)
            JSONWriter.appendMember("e", string: Self.base64URL(Self.withoutLeadingZeros(Array(primitives.publicExponent))), to: &out)
        case .p256(let key):
            let point = Array(key.rawRepresentation)  // x ‖ y, 32 bytes each
            appendCommonMembers(keyType: "EC", to: &out)
            JSONWriter.appendMember("crv", string: "P-256", to: &out)
            JSONWriter.appendMember("x", string: Self.base64URL(point[0..<32]), to: &out)
            JSONWriter.appendMember("y", string: Self.base64URL(point[32..<64]), to: &out)
        case .ed25519(let key):
            appendCommonMembers(keyType: "OKP", to: &out)
            JSONWriter.appendMember("crv", string: "Ed25519", to: &out)
            JSONWriter.appendMember("x", string: Self.base64URL(Array(key.rawRepresentation)), to: &out)
        }
        JSONWriter.appendObjectEnd(&out)
        return out
    }

    private func appendCommonMembers(keyType: String, to out: inout [UInt8]) {
        JSONWriter.appendMember("kty", string: keyType, to: &out)
        JSONWriter.appendMember("kid", string: id, to: &out)
        JSONWriter.appendMember("alg", string: algorithm.rawValue, to: &out)
        JSONWriter.appendMember("use", string: "sig", to: &out)
    }

    /// RFC 7518 §6.3.1: `n` and `e` are unsigned big-endian integers in as few octets as possible.
    private static func withoutLeadingZeros(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        let first = bytes.firstIndex { $0 != 0 } ?? max(bytes.count - 1, 0)
        return bytes[first...]
    }

    private static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}
