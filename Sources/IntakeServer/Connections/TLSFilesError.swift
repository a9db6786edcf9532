/// Why the TLS files cannot be used, in one line.
package struct TLSFilesError: Error, CustomStringConvertible {
    package let description: String

    init(_ description: String) { self.description = description }
}
