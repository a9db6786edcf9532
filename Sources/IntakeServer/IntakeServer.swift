import Hummingbird
import IntakeCore
import Logging
import NIOCore

/// Assembles the Intake HTTP server: token endpoint, `/v2` API and health check over one store.
///
/// ```swift
/// let store = try SQLiteStore(path: ".intake/intake.sqlite")
/// let server = try await IntakeServer(store: store, configuration: IntakeServerConfiguration(port: 8080))
/// try await server.makeApplication().runService()
/// ```
package struct IntakeServer: Sendable {
    package let configuration: IntakeServerConfiguration
    package let signingKey: SigningKey
    let store: any IntakeStore
    let registry: ClientRegistry
    let logger: Logger

    /// Loads the client registry and the signing key: `signingKey` when given (from
    /// `INTAKE_SIGNING_KEY`), otherwise the one in the store, generated on first use.
    package init(
        store: any IntakeStore,
        configuration: IntakeServerConfiguration,
        signingKey: SigningKey? = nil,
        logger: Logger = Logger(label: "intake")
    ) async throws {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        if let signingKey {
            self.signingKey = signingKey
        } else {
            self.signingKey = try await store.signingKey(storingIfAbsent: .generate())
        }
        self.registry = try await ClientRegistry(store: store, logger: logger)
    }

    /// The Hummingbird application, with the registry refresher as a service; run it with
    /// `runService()` for graceful shutdown on SIGTERM and SIGINT.
    package func makeApplication(
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: IntakeRequestContext.self)
        router.add(middleware: ErrorRenderingMiddleware())
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        let store = self.store
        router.get("/ready") { _, _ in
            do {
                try await store.checkReadiness()
            } catch {
                throw Problem.unavailable("The database is not reachable")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ready"}"#)))
        }
        let issuer = AccessTokenIssuer(
            key: signingKey, issuer: configuration.issuer, audience: configuration.issuer,
            lifetime: configuration.tokenLifetime)
        TokenController(registry: registry, issuer: issuer).addRoutes(to: router)
        let verifier = AccessTokenVerifier(keys: [signingKey], issuer: configuration.issuer, audience: configuration.issuer)
        let v2 = router.group("v2").add(middleware: BearerAuthenticator(verifier: verifier, directory: registry.directory))
        EventsController(store: store, maximumBodySize: configuration.maximumBodySize, maximumPageBytes: configuration.maximumPageBytes)
            .addRoutes(to: v2)
        let refresher = RegistryRefreshService(
            registry: registry, store: store, interval: configuration.registryPollInterval, logger: logger)
        return Application(
            router: router,
            server: .intakeHTTP1(
                idleTimeout: configuration.idleTimeout, bodyTimeout: configuration.bodyTimeout,
                budget: ConnectionBudget(
                    limit: configuration.maximumConnections, limitPerAddress: configuration.maximumConnectionsPerAddress),
                maximumBodySize: configuration.maximumBodySize),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [refresher],
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
