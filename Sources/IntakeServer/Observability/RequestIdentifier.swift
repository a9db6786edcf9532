import HTTPTypes
import Hummingbird
import Logging

/// The `X-Request-Id` of a request: the caller's when it is 1 to ``maximumLength`` visible ASCII
/// characters (so that it can go into a log line as it is), otherwise Hummingbird's own id of the
/// request, which its request logger already carries as `hb.request.id`.
///
/// ```swift
/// let id = RequestIdentifier.id(honouring: request.headers[.xRequestID], logger: context.logger)
/// ```
package enum RequestIdentifier {
    package static let maximumLength = 128

    static func id(honouring supplied: String?, logger: Logger) -> String {
        if let supplied, isAcceptable(supplied) { return supplied }
        return logger[metadataKey: "hb.request.id"]?.description ?? RequestID().description
    }

    package static func isAcceptable(_ value: String) -> Bool {
        let bytes = value.utf8
        return (1...maximumLength).contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

extension HTTPField.Name {
    package static let xRequestID = HTTPField.Name("X-Request-Id")!
}
