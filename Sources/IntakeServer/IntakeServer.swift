import CoreMetrics
import Hummingbird
import HummingbirdCore
import IntakeCore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Assembles the Intake HTTP server over one store: the public listener (token endpoint,
/// introspection and revocation, discovery documents, `/v2` API, health checks, OpenAPI
/// document) and, with an admin port, the operators' listener (`/metrics`, admin API).
///
/// Metrics go to ``PrometheusBootstrap/registry``, which bootstraps swift-metrics when first read
/// (nothing else in the process may bootstrap it); read it before opening the store, so that the
/// store's group commits report too.
///
/// ```swift
/// let store = try SQLiteStore(path: ".intake/intake.sqlite")
/// let server = try await IntakeServer(store: store, configuration: IntakeServerConfiguration(port: 8080))
/// try await server.makeApplication().runService()
/// ```
package struct IntakeServer: Sendable {
    /// The longest a fetched JWKS may be reused (`Cache-Control: max-age`), in seconds: a new key
    /// signs within seconds of a rotation, so a verifier that caches the set refetches on an
    /// unknown `kid`, and this bounds how stale a cache in between can be.
    static let jwksMaximumAge: Int64 = 60

    package let configuration: IntakeServerConfiguration
    let store: any IntakeStore
    let registry: ClientRegistry
    let keys: KeyRing
    let revocations: RevocationList
    let throttle: ThrottleGate
    /// Failed admin authentications, per source address (kept apart from the clients' pairs).
    let adminThrottle: ThrottleGate
    /// What the server does on its own (scheduled rotations, throttling), and what clients do.
    let trail: AuditTrail
    /// Opens and seals stored keys, for rotations through the admin API.
    let keyCipher: KeyMaterialCipher
    let metrics: ServerMetrics
    let writeHealth = WriteHealth()
    /// Shared by both listeners.
    let routeMetrics = RouteMetrics()
    let logger: Logger

    /// Loads the client registry and the keys: `signingKey` alone when given (from
    /// `INTAKE_SIGNING_KEY`), otherwise the store's key set, whose first key is made on first
    /// use; `keyCipher` opens and seals the stored keys (`INTAKE_KEY_ENCRYPTION_KEY`).
    package init(
        store: any IntakeStore,
        configuration: IntakeServerConfiguration,
        signingKey: SigningKey? = nil,
        keyCipher: KeyMaterialCipher = .none,
        logger: Logger = Logger(label: "intake")
    ) async throws {
        _ = PrometheusBootstrap.registry
        self.store = store
        self.configuration = configuration
        self.keyCipher = keyCipher
        self.metrics = ServerMetrics()
        metrics.buildInfo.record(1)
        self.logger = logger
        let trail = AuditTrail(
            store: store, actor: .server,
            log: { entry in
                logger.notice(
                    "Audit: \(entry.action.rawValue)",
                    metadata: ["actor": "\(entry.actor)", "subject": "\(entry.subject)", "detail": "\(entry.detail)"])
            },
            failed: { entry, error in
                logger.warning(
                    "Could not write the audit trail", metadata: ["action": "\(entry.action.rawValue)", "error.type": "\(type(of: error))"])
            })
        self.trail = trail
        self.throttle = ThrottleGate(policy: configuration.throttlePolicy)
        self.adminThrottle = ThrottleGate(policy: configuration.throttlePolicy)
        if let signingKey {
            self.keys = KeyRing(
                fixed: signingKey, issuer: configuration.issuer, lifetime: configuration.tokenLifetime,
                rotations: metrics.keyRotations, logger: logger)
        } else {
            let manager = KeyManager(
                store: store, cipher: keyCipher, lifecycle: KeyLifecycle(rotationInterval: configuration.keyRotationInterval),
                trail: trail)
            self.keys = try await KeyRing(
                manager: manager, firstAlgorithm: configuration.signingAlgorithm, issuer: configuration.issuer,
                lifetime: configuration.tokenLifetime, rotations: metrics.keyRotations, logger: logger)
        }
        self.registry = try await ClientRegistry(store: store, logger: logger)
        self.revocations = RevocationList()
        try await revocations.catchUp(with: store, now: UnixTime.now())
    }

    /// The key that signs new tokens now.
    package var signingKey: SigningKey { keys.issuer.key }

    /// Takes up the key set as it is now in the database (the poll does this every interval).
    package func refreshKeys() async { await keys.checkForChanges() }

    /// The public listener's Hummingbird application, with the registry refresher (and, with an
    /// admin port, the admin listener) as services; run it with `runService()` for graceful
    /// shutdown on SIGTERM and SIGINT. Throws only for a TLS configuration NIO cannot use.
    package func makeApplication(
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
        onAdminRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        var services: [any Service] = [
            ChangeFollowingService(
                registry: registry, keys: keys, revocations: revocations, store: store, interval: configuration.registryPollInterval,
                logger: logger),
            HousekeepingService(
                throttles: [throttle, adminThrottle], store: store, interval: configuration.registryPollInterval, logger: logger),
        ]
        if let retention = configuration.eventRetention {
            services.append(EventRetentionService(store: store, retention: retention, logger: logger))
        }
        if configuration.adminPort != nil { services.append(makeAdminApplication(onServerRunning: onAdminRunning)) }
        // Made once: every connection's NIOSSL handler shares it.
        let tls = try configuration.tls.map { try NIOSSLContext(configuration: $0) }
        return Application(
            router: makeRouter(),
            server: .intakeHTTP1(
                idleTimeout: configuration.idleTimeout, bodyTimeout: configuration.bodyTimeout,
                budget: ConnectionBudget(limit: configuration.maximumConnections, limitPerAddress: configuration.maximumConnectionsPerAddress),
                maximumBodySize: configuration.maximumBodySize, tls: tls),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: onServerRunning,
            logger: logger
        )
    }

    /// The public routes, behind the request log and metrics and the error rendering.
    package func makeRouter() -> Router<IntakeRequestContext> {
        let router = router()
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        let (store, writeHealth) = (self.store, self.writeHealth)
        router.get("/ready") { _, _ in
            do {
                try await store.checkReadiness()
            } catch {
                throw Problem.unavailable("The database is not reachable")
            }
            // After a failed event write, ready again only once a write works: the database may
            // answer reads while its disk is full.
            if writeHealth.isFailing {
                do {
                    try await store.checkWritable()
                    writeHealth.recordSuccess()
                } catch {
                    throw Problem.unavailable("The database cannot store events (is its disk full?)")
                }
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ready"}"#)))
        }
        let authenticator = ClientAuthenticator(
            registry: registry, throttle: throttle, trustedProxies: configuration.trustedProxies, trail: trail)
        TokenController(authenticator: authenticator, keys: keys, metrics: metrics).addRoutes(to: router)
        let validation = TokenValidation(keys: keys, registry: registry, revocations: revocations)
        IntrospectionController(authenticator: authenticator, validation: validation).addRoutes(to: router)
        RevocationController(
            authenticator: authenticator, validation: validation, store: store, trail: trail,
            limitPerClient: configuration.revocationLimitPerClient
        ).addRoutes(to: router)
        DiscoveryController(
            keys: keys, issuer: configuration.issuer, jwksMaximumAge: min(Self.jwksMaximumAge, configuration.tokenLifetime)
        ).addRoutes(to: router)
        OpenAPIController().addRoutes(to: router)
        let v2 = router.group("v2").add(middleware: BearerAuthenticator(validation: validation))
        EventsController(
            store: store, maximumBodySize: configuration.maximumBodySize, maximumPageBytes: configuration.maximumPageBytes,
            metrics: metrics, writeHealth: writeHealth
        ).addRoutes(to: v2)
        MethodNotAllowed.refuseOtherMethods(of: router)
        return router
    }

    /// A router with the middleware both listeners share: the request log and route metrics
    /// outside, the error rendering inside (so that they see the status of every answer).
    func router() -> Router<IntakeRequestContext> {
        let router = Router(context: IntakeRequestContext.self)
        router.add(middleware: ObservabilityMiddleware(logger: logger, metrics: routeMetrics))
        router.add(middleware: ErrorRenderingMiddleware())
        return router
    }
}
