import Foundation
import IntakeCore
import NIOSSL

/// How `intake serve` runs: where it listens, who it says it is, how long tokens live.
///
/// ```swift
/// let configuration = IntakeServerConfiguration(host: "127.0.0.1", port: 8080)
/// configuration.issuer // "http://127.0.0.1:8080"
/// ```
package struct IntakeServerConfiguration: Sendable {
    package var host: String
    package var port: Int
    /// `iss` of every token, and the audience `/v2` expects. Instances behind one load balancer share it.
    package var issuer: String
    /// Access token lifetime in seconds.
    package var tokenLifetime: Int64
    /// Largest accepted `/v2` request body, in bytes.
    package var maximumBodySize: Int
    /// How often the client registry, the revocations and the key set are checked for changes
    /// made by other processes: twice a second, so a disable or a revocation made elsewhere holds
    /// here within a second with room to spare (three cheap reads per poll).
    package var registryPollInterval: Duration
    /// A connection that sends nothing (no request, or headers not finished) for this long is closed.
    package var idleTimeout: Duration
    /// A request body must arrive whole within this time, or the answer is `408`.
    package var bodyTimeout: Duration
    /// Connections open at once; past this a new one is answered `503` and closed.
    package var maximumConnections: Int
    /// Connections open at once from one source address (0: no such limit).
    package var maximumConnectionsPerAddress: Int
    /// What one page of `GET /v2/events` may weigh; the page ends early past it, with `next_cursor`.
    package var maximumPageBytes = EventPageQuery.defaultMaximumBytes
    /// The algorithm of the first key, when the database has none.
    package var signingAlgorithm = SigningAlgorithm.hs256
    /// Seconds between scheduled key rotations; nil rotates only when an operator does.
    package var keyRotationInterval: Int64?
    /// Proxies whose `X-Forwarded-For` names the client's address (`--trusted-proxy`).
    package var trustedProxies: [AddressRange] = []
    /// Live token revocations a client may hold before its revocations cover all its earlier
    /// tokens at once (see ``Revocation``).
    package var revocationLimitPerClient = Revocation.limitPerClient
    /// The budget of failed client authentications per (source address, client id).
    package var throttlePolicy = AuthenticationThrottle.Policy()
    /// TLS for the public listener (`--tls-cert`, `--tls-key`); nil serves plain HTTP.
    package var tls: TLSConfiguration?
    /// The operators' listener (`--admin-port`); nil opens none.
    package var adminPort: Int?
    package var adminHost = "127.0.0.1"
    /// `INTAKE_ADMIN_TOKEN`: the bearer token of the admin API; nil leaves the API off.
    package var adminToken: String?
    /// Events older than this many seconds are deleted (`--event-retention`); nil keeps them all.
    package var eventRetention: Int64?

    package init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        issuer: String? = nil,
        tokenLifetime: Int64 = 3600,
        maximumBodySize: Int = 1 << 20,
        registryPollInterval: Duration = .milliseconds(500),
        idleTimeout: Duration = .seconds(30),
        bodyTimeout: Duration = .seconds(30),
        maximumConnections: Int = 4096,
        maximumConnectionsPerAddress: Int = 256
    ) {
        self.host = host
        self.port = port
        self.issuer = issuer ?? Self.defaultIssuer(host: host, port: port)
        self.tokenLifetime = tokenLifetime
        self.maximumBodySize = maximumBodySize
        self.registryPollInterval = registryPollInterval
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maximumConnections = maximumConnections
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
    }

    /// Why `issuer` cannot be an issuer identifier, or nil when it can: RFC 8414 §2 asks for a URL
    /// with no query or fragment; we take http too (for loopback and development) and refuse
    /// anything relative, hostless, with credentials, or with spaces or control characters, since
    /// clients and other services compare `iss` byte for byte.
    package static func issuerProblem(_ issuer: String) -> String? {
        let example = "e.g. https://auth.example.com"
        guard !issuer.isEmpty else { return "the issuer must not be empty; give an absolute http(s) URL, \(example)" }
        guard !issuer.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }),
            let components = URLComponents(string: issuer), let scheme = components.scheme
        else {
            return "the issuer must be an absolute http(s) URL, \(example)"
        }
        guard scheme == "https" || scheme == "http" else { return "the issuer must be an http or https URL, \(example)" }
        guard let host = components.host, !host.isEmpty else { return "the issuer URL must have a host, \(example)" }
        guard components.user == nil, components.password == nil else { return "the issuer URL must not hold a user or password" }
        guard components.query == nil else { return "the issuer URL must not have a query (RFC 8414 §2)" }
        guard components.fragment == nil else { return "the issuer URL must not have a fragment (RFC 8414 §2)" }
        return nil
    }

    /// `http://host:port` (or `https`), with IPv6 literals bracketed.
    package static func defaultIssuer(host: String, port: Int, scheme: String = "http") -> String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }
}
