import HTTPTypes
import Synchronization

/// The `X-Request-Id` of a request: the caller's when it is 1 to ``maximumLength`` visible ASCII
/// characters (so it can go into a log line as it is), otherwise one made here.
///
/// Made ids are a random prefix chosen at start plus a counter: unique across instances without
/// a random draw (a system call) per request.
///
/// ```swift
/// let id = RequestID.generator.id(honouring: request.headers[.xRequestID])
/// ```
package final class RequestID: Sendable {
    package static let maximumLength = 128
    /// One per process.
    static let generator = RequestID()

    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    private init() {
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        prefix = String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `supplied` when it is acceptable, else a new id.
    func id(honouring supplied: String?) -> String {
        if let supplied, Self.isAcceptable(supplied) { return supplied }
        let number = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return prefix + "-" + String(number)
    }

    package static func isAcceptable(_ value: String) -> Bool {
        let bytes = value.utf8
        return (1...maximumLength).contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

extension HTTPField.Name {
    package static let xRequestID = HTTPField.Name("X-Request-Id")!
}
