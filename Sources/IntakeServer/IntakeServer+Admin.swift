import CoreMetrics
import Hummingbird
import IntakeCore
import NIOCore
import Prometheus

extension IntakeServer {
    /// Connections the operators' listener holds at once (scrapers, scripts).
    static let adminConnections = 64

    /// The operators' listener (`--admin-port`, `--admin-host`): `GET /metrics` in the Prometheus
    /// text format, and, with ``IntakeServerConfiguration/adminToken``, the admin API under
    /// `/admin`. Plain HTTP/1, meant for a loopback or private address, with the public
    /// listener's timeouts and connection policy and a small connection budget of its own, so that
    /// slow or many clients there cannot take the file descriptors the public listener needs.
    package func makeAdminApplication(
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeAdminRouter(),
            server: .intakeHTTP1(
                idleTimeout: configuration.idleTimeout, bodyTimeout: configuration.bodyTimeout,
                budget: ConnectionBudget(limit: Self.adminConnections, limitPerAddress: 0),
                maximumBodySize: AdminRequestBody.maximumSize),
            configuration: .init(address: .hostname(configuration.adminHost, port: configuration.adminPort ?? 0), serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }

    package func makeAdminRouter() -> Router<IntakeRequestContext> {
        let router = router()
        let (directory, metrics) = (registry.directory, metrics)
        router.get("/metrics") { _, _ in
            metrics.registeredClients.record(directory.count)
            PrometheusBootstrap.process.update()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: PrometheusBootstrap.registry.emitToBuffer())))
        }
        guard let token = configuration.adminToken else {
            router.on("/admin/**", method: .get, use: Self.adminOff)
            for method in [HTTPRequest.Method.post, .patch, .delete, .put] { router.on("/admin/**", method: method, use: Self.adminOff) }
            return router
        }
        let admin = router.group("admin").add(
            middleware: AdminAuthenticator(token: token, throttle: adminThrottle, trail: self.trail))
        let trail = self.trail.by(.admin)
        AdminClientsController(administration: ClientAdministration(store: store, trail: trail), registry: registry)
            .addRoutes(to: admin)
        let manager = keys.followsDatabase
            ? KeyManager(
                store: store, cipher: keyCipher, lifecycle: KeyLifecycle(rotationInterval: configuration.keyRotationInterval), trail: trail)
            : nil
        AdminKeysController(manager: manager, keys: keys, store: store).addRoutes(to: admin)
        MethodNotAllowed.refuseOtherMethods(of: router)
        return router
    }

    @Sendable private static func adminOff(_ request: Request, context: IntakeRequestContext) throws -> Response {
        throw Problem(
            status: .notFound, type: Problem.typeBase + "admin-off",
            detail: "The admin API is off: start the server with INTAKE_ADMIN_TOKEN set")
    }
}
