import ArgumentParser
import Foundation
import Hummingbird
import IntakeCore
import IntakePostgres
import IntakeServer
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// `intake serve`: runs the authorization and resource server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the server.",
        discussion: "Every option can also be set by its INTAKE_* environment variable (named in each option's help); the option wins.")

    @Option(help: "Address to listen on (env INTAKE_HOST).") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one (env INTAKE_PORT).") var port = 8080
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Token issuer (iss and aud): an absolute http(s) URL without query or fragment; default http://HOST:PORT. Give every instance behind one load balancer the same (env INTAKE_ISSUER).")
    var issuer: String?
    @Option(name: .customLong("token-ttl"), help: "Access token lifetime in seconds (env INTAKE_TOKEN_TTL).") var tokenTTL: Int64 = 3600
    @Option(name: .customLong("max-body-size"), help: "Largest /v2 request body in bytes (env INTAKE_MAX_BODY_SIZE).") var maximumBodySize = 1 << 20
    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may send nothing (no request, or unfinished headers) before it is closed (env INTAKE_IDLE_TIMEOUT).")
    var idleTimeout = 30
    @Option(name: .customLong("body-timeout"), help: "Seconds a request body may take to arrive; slower is answered 408 (env INTAKE_BODY_TIMEOUT).")
    var bodyTimeout = 30
    @Option(name: .customLong("max-connections"), help: "Client connections open at once; when full, the oldest that has sent no request is closed to make room, else a new one is answered 503 (env INTAKE_MAX_CONNECTIONS).")
    var maximumConnections = 4096
    @Option(name: .customLong("max-connections-per-address"), help: "Connections open at once from one address (0: no limit; raise it behind a proxy; env INTAKE_MAX_CONNECTIONS_PER_ADDRESS).")
    var maximumConnectionsPerAddress = 256
    @Option(
        name: .customLong("signing-alg"),
        help: "Algorithm of the first signing key, when the database has none: \(SigningAlgorithm.names) (env INTAKE_SIGNING_ALG).")
    var signingAlgorithm = "HS256"
    @Option(
        name: .customLong("rotate-keys-every"),
        help: "Rotate the signing key on a schedule, e.g. 30d or 24h (off by default); the old key verifies until its tokens expire (env INTAKE_ROTATE_KEYS_EVERY).")
    var rotateKeysEvery: DurationArgument?
    @Option(
        name: .customLong("trusted-proxy"),
        help: "A proxy (CIDR, e.g. 10.0.0.0/8, repeatable) whose X-Forwarded-For gives the client's address, for throttling (env INTAKE_TRUSTED_PROXY, comma-separated).")
    var trustedProxies: [String] = []
    @Flag(
        inversion: .prefixedNo,
        help: "Create and print a first client when there is none (--no-bootstrap-client under a service manager, which would log the secret; env INTAKE_BOOTSTRAP_CLIENT=true|false).")
    var bootstrapClient = true
    @Option(
        name: .customLong("admin-port"),
        help: "Open a listener for operators on this port: GET /metrics, and the admin API when INTAKE_ADMIN_TOKEN is set (env INTAKE_ADMIN_PORT).")
    var adminPort: Int?
    @Option(name: .customLong("admin-host"), help: "Address of the operators' listener; keep it private (env INTAKE_ADMIN_HOST).")
    var adminHost = "127.0.0.1"
    @Option(name: .customLong("tls-cert"), help: "Serve the public listener over TLS 1.2+ with this PEM certificate chain (env INTAKE_TLS_CERT).")
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert (unencrypted; env INTAKE_TLS_KEY).")
    var tlsKey: String?
    @Option(name: .customLong("log-format"), help: "Log lines as text or as one JSON object per line (env INTAKE_LOG_FORMAT).")
    var logFormat = CLILogging.Format.text
    @Flag(
        name: .customLong("allow-non-durable-postgres"),
        help: "Start even when PostgreSQL runs with fsync or synchronous_commit off (a crash then loses acknowledged events): for throwaway databases only (env INTAKE_ALLOW_NON_DURABLE_POSTGRES).")
    var allowNonDurablePostgres = false
    @Option(
        name: .customLong("event-retention"),
        help: "Delete events older than this (e.g. 30d, 12h), checked at start and every minute; off by default (env INTAKE_EVENT_RETENTION).")
    var eventRetention: DurationArgument?

    func validate() throws {
        let longest = AccessTokenVerifier.maximumLifetime
        guard (1...longest).contains(tokenTTL) else { throw ValidationError("--token-ttl must be 1 to \(longest) seconds") }
        if let issuer, let problem = IntakeServerConfiguration.issuerProblem(issuer) {
            throw ValidationError("--issuer: \(problem)")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard maximumBodySize >= 1024 else { throw ValidationError("--max-body-size must be at least 1024 bytes") }
        guard (1...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be 1 to 3600 seconds") }
        guard (1...3600).contains(bodyTimeout) else { throw ValidationError("--body-timeout must be 1 to 3600 seconds") }
        guard (1...1_000_000).contains(maximumConnections) else { throw ValidationError("--max-connections must be 1 to 1000000") }
        guard (0...1_000_000).contains(maximumConnectionsPerAddress) else {
            throw ValidationError("--max-connections-per-address must be 0 to 1000000")
        }
        for proxy in trustedProxies where AddressRange(proxy) == nil {
            throw ValidationError("--trusted-proxy \(proxy) is not an address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)")
        }
        if let adminPort {
            guard (0...65_535).contains(adminPort) else { throw ValidationError("--admin-port must be 0 to 65535") }
            let wildcards: Set<String> = ["0.0.0.0", "::", "[::]"]
            let overlaps = adminHost == host || wildcards.contains(adminHost) || wildcards.contains(host)
            guard adminPort == 0 || adminPort != port || !overlaps else {
                throw ValidationError("--admin-port must differ from --port")
            }
        }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if let eventRetention, eventRetention.seconds < 60 {
            throw ValidationError("--event-retention must be at least 60s")
        }
        guard SigningAlgorithm(rawValue: signingAlgorithm) != nil else {
            throw ValidationError("--signing-alg must be one of \(SigningAlgorithm.names)")
        }
        if let rotateKeysEvery {
            // Shorter would pile up retiring keys, each verifying for a whole token lifetime.
            let shortest = max(3600, tokenTTL)
            guard rotateKeysEvery.seconds >= shortest else {
                throw ValidationError("--rotate-keys-every must be at least \(shortest) seconds (an hour, and no less than --token-ttl)")
            }
            guard ProcessInfo.processInfo.environment["INTAKE_SIGNING_KEY"] == nil else {
                throw ValidationError("--rotate-keys-every needs the database's key set; unset INTAKE_SIGNING_KEY, which fixes one key")
            }
        }
    }

    func run() async throws {
        let logger = CLILogging.logger(format: logFormat)
        // Before the store opens: its group commits report to the same registry.
        _ = PrometheusBootstrap.registry
        let signingKey = try Self.configuredSigningKey()
        var tls: TLSConfiguration?
        if let tlsCertificate, let tlsKey {
            let files: TLSFiles
            do {
                files = try TLSFiles(certificatePath: tlsCertificate, keyPath: tlsKey)
            } catch {
                throw CLIError(error.description)
            }
            for warning in files.warnings { logger.warning("\(warning)") }
            tls = files.configuration
        }
        let adminToken = ProcessInfo.processInfo.environment["INTAKE_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let adminToken {
            // HTTP drops the whitespace around a header value, so such a token could never match.
            guard adminToken.trimmingCharacters(in: .whitespacesAndNewlines) == adminToken else {
                throw CLIError("INTAKE_ADMIN_TOKEN begins or ends with whitespace (a trailing newline?); no request could present it")
            }
            // Whoever guesses it can make clients and rotate keys: 32 characters of base64 carry 192 bits.
            guard adminToken.utf8.count >= 32 else {
                throw CLIError("INTAKE_ADMIN_TOKEN is shorter than 32 characters; make a strong one with: openssl rand -base64 32")
            }
            if adminPort == nil {
                logger.warning("INTAKE_ADMIN_TOKEN is set but there is no --admin-port: the admin API is not served")
            } else if !["127.0.0.1", "::1", "localhost"].contains(adminHost) {
                logger.warning(
                    "The admin listener on \(adminHost) is plain HTTP: the admin token crosses the network in clear text; keep it on a private network")
            }
        }
        let keyCipher = try KeysCommand.cipher()
        let connections = FileDescriptorLimit.connections(wanted: maximumConnections)
        if connections < maximumConnections {
            logger.warning(
                "The open-file limit allows \(connections) connections, not --max-connections \(maximumConnections); raise it with ulimit -n")
        }
        let scheme = tls == nil ? "http" : "https"
        // The issuer names the port, so an ephemeral one is chosen here, before anything is built
        // around it, rather than by the listener later (which advertised port 0).
        let port = self.port == 0 ? try await Self.freePort(host: host) : self.port
        var configuration = IntakeServerConfiguration(
            host: host, port: port, issuer: issuer ?? IntakeServerConfiguration.defaultIssuer(host: host, port: port, scheme: scheme), tokenLifetime: tokenTTL, maximumBodySize: maximumBodySize,
            idleTimeout: .seconds(idleTimeout), bodyTimeout: .seconds(bodyTimeout), maximumConnections: connections,
            maximumConnectionsPerAddress: maximumConnectionsPerAddress)
        configuration.signingAlgorithm = SigningAlgorithm(rawValue: signingAlgorithm) ?? .hs256
        configuration.keyRotationInterval = rotateKeysEvery?.seconds
        configuration.trustedProxies = trustedProxies.compactMap(AddressRange.init)
        configuration.tls = tls
        configuration.adminPort = adminPort
        configuration.adminHost = adminHost
        configuration.adminToken = adminToken
        configuration.eventRetention = eventRetention?.seconds
        let settings = configuration
        let location = database.displayLocation
        let (host, bootstrapClient, format) = (host, bootstrapClient, logFormat)
        let listeners = adminPort.map { "\(host):\(port) or the admin listener's \(adminHost):\($0)" } ?? "\(host):\(port)"
        let hosts = adminPort == nil || adminHost == host ? host : "\(host) or --admin-host \(adminHost)"
        try await database.withStore(logger: logger) { store in
            // Before the bootstrap client: a refused start must not have used up its one showing.
            if let postgres = store as? PostgresStore {
                try await Self.checkDurability(of: postgres, allowingLoss: allowNonDurablePostgres, logger: logger)
            }
            // Without the bootstrap (a service manager's journal is no place for a secret) the
            // operator creates clients with `intake clients create`.
            if bootstrapClient, try await store.clients().isEmpty {
                let (client, credentials) = try await ClientAdministration(store: store, trail: .cli(store).by(.server))
                    .create(name: "first-client", scopes: try ScopeSet(parsing: "\(ScopeSet.eventsWrite) \(ScopeSet.eventsRead)"))
                Console.announce(
                    """
                    Created a first client (shown once; keep the secret safe):
                      client_id:     \(credentials.clientID)
                      client_secret: \(credentials.clientSecret)
                      scopes:        \(client.scopes)
                    """,
                    summary: "Created a first client (shown once; keep the secret safe)",
                    details: [
                        "client_id": "\(credentials.clientID)", "client_secret": "\(credentials.clientSecret)", "scopes": "\(client.scopes)",
                    ],
                    format: format)
            }
            let server: IntakeServer
            do {
                server = try await IntakeServer(
                    store: store, configuration: settings, signingKey: signingKey, keyCipher: keyCipher, logger: logger)
            } catch let error as KeyMaterialError {
                throw CLIError("cannot use the signing keys: \(error)")
            }
            let signing = server.signingKey.algorithm.rawValue
            let adminAPI = settings.adminToken == nil ? "admin API off: set INTAKE_ADMIN_TOKEN" : "admin API on"
            let application = try server.makeApplication(
                onServerRunning: { channel in
                    let url = "\(scheme)://\(Self.address(of: channel, host: settings.host, port: settings.port))"
                    Console.announce(
                        "Intake listening on \(url) (issuer \(settings.issuer), signing \(signing), database \(location))",
                        summary: "Intake listening on \(url)",
                        details: ["url": "\(url)", "issuer": "\(settings.issuer)", "signing_alg": "\(signing)", "database": "\(location)"],
                        format: format)
                },
                onAdminRunning: { channel in
                    let url = "http://\(Self.address(of: channel, host: settings.adminHost, port: settings.adminPort ?? 0))"
                    Console.announce(
                        "Admin listener on \(url) (GET /metrics; \(adminAPI))", summary: "Admin listener on \(url)",
                        details: ["url": "\(url)", "admin_api": "\(settings.adminToken != nil)"], format: format)
                })
            do {
                try await application.runService()
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw CLIError("\(listeners) is already in use; stop the other server or pick another port")
            } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
                throw CLIError("cannot listen on \(hosts): the address is not available on this machine")
            } catch let error as IOError where error.errnoCode == EACCES {
                throw CLIError("not allowed to listen on \(listeners); ports below 1024 need privileges")
            }
        }
    }

    /// A `2xx` means the event is on disk: PostgreSQL set to acknowledge commits before they are
    /// stops the start, unless the operator says the database is a throwaway one (then every start
    /// says so in a warning).
    private static func checkDurability(of store: PostgresStore, allowingLoss: Bool, logger: Logger) async throws {
        let settings = try await store.nonDurableSettings()
        guard !settings.isEmpty else { return }
        let what = settings.joined(separator: " and ")
        guard allowingLoss else {
            throw CLIError(
                "PostgreSQL runs with \(what): a crash would lose events already acknowledged; turn it on (ALTER SYSTEM or ALTER DATABASE … SET, then reload), or pass --allow-non-durable-postgres for a throwaway database")
        }
        logger.warning("PostgreSQL runs with \(what): a crash will lose events already acknowledged (--allow-non-durable-postgres)")
    }

    /// A port the system has free on `host` now: bound and let go, so the listener binds it next
    /// (the window in between is a few milliseconds; a clash is reported as a port in use).
    private static func freePort(host: String) async throws -> Int {
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: 0).get()
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw CLIError("cannot listen on \(host): the address is not available on this machine")
        } catch {
            throw CLIError("cannot listen on \(host): \(error)")
        }
        defer { channel.close(promise: nil) }
        guard let port = channel.localAddress?.port else { throw CLIError("cannot find a free port on \(host)") }
        return port
    }

    /// `host:port` as the listener bound it.
    private static func address(of channel: any Channel, host: String, port: Int) -> String {
        channel.localAddress.map { "\($0.ipAddress ?? host):\($0.port ?? port)" } ?? "\(host):\(port)"
    }

    /// `INTAKE_SIGNING_KEY`, if set; a key that is not base64url or under 32 bytes stops the start.
    private static func configuredSigningKey() throws -> SigningKey? {
        guard let text = ProcessInfo.processInfo.environment["INTAKE_SIGNING_KEY"] else { return nil }
        do {
            return try SigningKey(base64URL: text)
        } catch {
            throw CLIError("INTAKE_SIGNING_KEY is refused: \(error)")
        }
    }
}
