/// A client id and secret. The secret never appears in `description`, logs or errors.
///
/// ```swift
/// let credentials = IntakeCredentials(clientID: "u3BTpbeTlPqOwYO1T25jww", clientSecret: secret)
/// print(credentials) // IntakeCredentials(clientID: u3BTpbeTlPqOwYO1T25jww, clientSecret: <redacted>)
/// ```
public struct IntakeCredentials: Sendable, Hashable, CustomStringConvertible {
    public var clientID: String
    public var clientSecret: String

    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public var description: String { "IntakeCredentials(clientID: \(clientID), clientSecret: <redacted>)" }
}
