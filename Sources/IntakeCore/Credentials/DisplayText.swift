/// Text that operators see in terminals and dashboards (client names, accounts): control and
/// format characters (C0, DEL, C1, bidi overrides such as U+202E, zero-width characters, line
/// separators) can move a cursor, rewrite a screen or reorder what is shown, so labels with them
/// are refused wherever clients are made (the CLI and the admin API).
///
/// ```swift
/// DisplayText.labelProblem("crm")          // nil
/// DisplayText.labelProblem("a\u{202E}b")   // "must not contain control or format characters (found U+202E)"
/// ```
package enum DisplayText {
    package static let maximumLabelLength = 200

    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// Why `label` cannot name a client or an account, or nil when it can.
    package static func labelProblem(_ label: String) -> String? {
        guard !label.isEmpty, label.count <= maximumLabelLength else { return "must have 1 to \(maximumLabelLength) characters" }
        if let unsafe = label.unicodeScalars.first(where: isUnsafe) {
            return "must not contain control or format characters (found \(scalarName(unsafe)))"
        }
        return nil
    }

    /// Caller text fit to be quoted in an answer or a log line: printable ASCII other than `"`
    /// and `\` (what RFC 6749 §5.2 allows in `error_description`), anything else as `?`, at
    /// most `limit` characters.
    package static func quotable(_ text: String, limit: Int = 64) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit).map { scalar in
            (0x20...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? scalar : "?"
        }))
    }

    /// `U+202E`, for messages.
    package static func scalarName(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
