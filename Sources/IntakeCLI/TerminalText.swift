import IntakeCore

/// Text that reaches a terminal: the characters ``DisplayText`` refuses in labels can move the
/// cursor, rewrite the screen or reorder what is shown, so stored text is printed escaped.
///
/// ```swift
/// TerminalText.firstUnsafeScalar(in: "a\u{202E}b")  // U+202E
/// TerminalText.escaped("a\u{1B}[2Jb")                // #"a\u{1B}[2Jb"#: the escape spelled out
/// ```
enum TerminalText {
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool { DisplayText.isUnsafe(scalar) }

    static func firstUnsafeScalar(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first(where: isUnsafe)
    }

    /// `text` with every unsafe character written as `\u{…}` (Swift's spelling), for plain-text output.
    static func escaped(_ text: String) -> String {
        replacingUnsafe(in: text) { "\\u{" + hex($0.value, width: 1) + "}" }
    }

    /// Encoded JSON with every unsafe character written as a `\uXXXX` escape (surrogate pairs
    /// past U+FFFF). JSONEncoder escapes C0 but leaves C1 and format characters raw; unsafe
    /// characters only ever occur inside JSON strings, so the result decodes to the same values.
    static func escapedJSON(_ json: String) -> String {
        replacingUnsafe(in: json) { scalar in
            String(scalar).utf16.map { "\\u" + hex(UInt32($0), width: 4) }.joined()
        }
    }

    private static func replacingUnsafe(in text: String, with spelling: (Unicode.Scalar) -> String) -> String {
        // Printable ASCII, what nearly every log value is, needs no look-up of Unicode properties
        // (which took 4% of a server's CPU when every request line went through them).
        guard text.utf8.contains(where: { $0 < 0x20 || $0 > 0x7E }), firstUnsafeScalar(in: text) != nil else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) { out += spelling(scalar) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
