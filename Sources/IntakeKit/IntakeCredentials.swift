/// A client id and secret. The secret never appears in `description`, `dump`, `debugPrint`, logs or errors.
///
/// ```swift
/// let credentials = IntakeCredentials(clientID: "u3BTpbeTlPqOwYO1T25jww", clientSecret: secret)
/// print(credentials) // IntakeCredentials(clientID: u3BTpbeTlPqOwYO1T25jww, clientSecret: <redacted>)
/// ```
public struct IntakeCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var clientID: String
    public var clientSecret: String

    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public var description: String { "IntakeCredentials(clientID: \(clientID), clientSecret: <redacted>)" }

    public var debugDescription: String { description }

    /// What `dump` and debuggers show: the id, and the secret redacted.
    public var customMirror: Mirror {
        Mirror(self, children: ["clientID": clientID, "clientSecret": "<redacted>"], displayStyle: .struct)
    }
}
