import Crypto
import ExtrasBase64

/// A freshly generated client id and secret, as shown to the operator exactly once.
///
/// Both are drawn from the URL-safe base64 alphabet, which is a subset of RFC 3986's unreserved
/// characters: form-urlencoding leaves them unchanged, so RFC 7617 clients and RFC 6749 §2.3.1 clients
/// send the same bytes for our own clients.
///
/// ```swift
/// let credentials = ClientCredentials.generate()
/// let record = ClientRecord(id: credentials.clientID, name: "crm", secretHash: SecretHash(of: credentials.clientSecret))
/// ```
package struct ClientCredentials: Sendable, Equatable {
    package let clientID: String
    package let clientSecret: String

    package init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// A new id (128 random bits) and secret (256 random bits).
    ///
    /// The id never starts with `-`: about one in 64 base64url strings would, and such an id reads
    /// as an option to `intake clients disable ID` and to most other command-line tools. Redrawing
    /// costs under 6 bits of the 128.
    package static func generate() -> ClientCredentials {
        var clientID = randomToken(byteCount: 16)
        while clientID.hasPrefix("-") {
            clientID = randomToken(byteCount: 16)
        }
        return ClientCredentials(clientID: clientID, clientSecret: generateSecret())
    }

    /// A new secret of 256 random bits, for `rotate-secret`.
    package static func generateSecret() -> String {
        randomToken(byteCount: 32)
    }

    static func randomToken(byteCount: Int) -> String {
        let key = SymmetricKey(size: .init(bitCount: byteCount * 8))
        return key.withUnsafeBytes {
            Base64.encodeToString(bytes: $0, options: [.base64UrlAlphabet, .omitPaddingCharacter])
        }
    }
}
