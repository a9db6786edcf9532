/// Where the API lives: one of the two hosted environments, or any Intake server.
///
/// ```swift
/// let staging = IntakeEnvironment.staging
/// let local = IntakeEnvironment.custom(baseURL: "http://127.0.0.1:8080")
/// local.tokenURL // "http://127.0.0.1:8080/oauth2/token"
/// ```
public struct IntakeEnvironment: Sendable, Hashable, CustomStringConvertible {
    /// The OAuth 2.0 token endpoint.
    public var tokenURL: String
    /// The base of the `/v2` API, without a trailing slash.
    public var apiBaseURL: String

    public init(tokenURL: String, apiBaseURL: String) {
        self.tokenURL = tokenURL
        self.apiBaseURL = Self.trimmingSlashes(apiBaseURL)
    }

    /// The hosted staging environment.
    public static let staging = IntakeEnvironment(
        tokenURL: "https://api-staging.driftrock.com/oauth2/token", apiBaseURL: "https://api-staging.driftrock.com")

    /// The hosted production environment.
    public static let production = IntakeEnvironment(
        tokenURL: "https://external-apis.driftrock.com/oauth2/token", apiBaseURL: "https://external-apis.driftrock.com")

    /// An Intake server (or anything with the same API) at `baseURL`; its token endpoint is `/oauth2/token`.
    public static func custom(baseURL: String) -> IntakeEnvironment {
        let base = trimmingSlashes(baseURL)
        return IntakeEnvironment(tokenURL: base + "/oauth2/token", apiBaseURL: base)
    }

    /// `staging`, `production` or nil.
    public static func named(_ name: String) -> IntakeEnvironment? {
        switch name.lowercased() {
        case "staging": .staging
        case "production": .production
        default: nil
        }
    }

    public var description: String { apiBaseURL }

    private static func trimmingSlashes(_ url: String) -> String {
        var url = Substring(url)
        while url.hasSuffix("/") { url = url.dropLast() }
        return String(url)
    }
}
