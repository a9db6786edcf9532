/// A key set a server cannot sign with.
package enum KeySetError: Error, Equatable, Sendable, CustomStringConvertible {
    case noActiveKey

    package var description: String {
        switch self {
        case .noActiveKey: "the database has no active signing key; run intake keys rotate"
        }
    }
}
