import ExtrasBase64

/// Key bytes given in the environment (`INTAKE_SIGNING_KEY`, `INTAKE_KEY_ENCRYPTION_KEY`):
/// base64url, padding optional, a trailing newline or space forgiven (what `echo` and copy-paste
/// leave behind).
///
/// ```swift
/// let bytes = EnvironmentKeyText.decode("q83v…\n")   // nil unless base64url
/// ```
package enum EnvironmentKeyText {
    package static func decode(_ text: String) -> [UInt8]? {
        var end = text.endIndex
        while end > text.startIndex, ["=", "\n", " "].contains(text[text.index(before: end)]) { end = text.index(before: end) }
        return try? Base64.decode(string: String(text[..<end]), options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}
