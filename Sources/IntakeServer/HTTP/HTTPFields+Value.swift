import HTTPTypes

extension HTTPFields {
    /// The value of the fields named `name` as `subscript(_:)` gives it for every field but
    /// `Cookie` (several joined with ", "), or nil when there is none.
    ///
    /// `subscript(_:)` goes through a lazy `joined(separator:)` even for a single field, and that
    /// instantiates generic metadata at run time on every call (1.2 µs of each event post,
    /// `scripts/profile.sh event`); one field, the common case, is returned as it is.
    ///
    /// ```swift
    /// let contentType = request.headers.value(.contentType)
    /// ```
    func value(_ name: HTTPField.Name) -> String? {
        let values = self[values: name]
        switch values.count {
        case 0: return nil
        case 1: return values[0]
        default: return values.joined(separator: ", ")
        }
    }
}
