import AsyncHTTPClient
import Foundation
import IntakeCore
import IntakeKit
import IntakeModel
import IntakeSQLite
import IntakeServer
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import IntakeTestSupport
import Testing

/// A real Intake server in the test process on 127.0.0.1, over a SQLite file in its own temporary
/// directory, that can be stopped and started again on the same port and database — optionally with
/// another signing key or token lifetime.
///
/// ```swift
/// try await LiveServer.with(tokenLifetime: 2) { server in
///     let credentials = try await server.register()
///     try await server.restart(signingKey: .generate())
/// }
/// ```
final class LiveServer: Sendable {
    /// Every start uses this issuer, so tokens survive a restart unless the key changes.
    static let issuer = "http://intake-kit.test"

    let directory: URL
    let store: SQLiteStore

    private struct State {
        var task: Task<Void, any Error>?
        var listener: (any Channel)?
        /// 0 until the first start has bound a port; every later start reuses it.
        var port = 0
    }

    private let state = Mutex(State())

    private init(directory: URL, store: SQLiteStore) {
        self.directory = directory
        self.store = store
    }

    /// Starts a server, runs `body`, then stops it and removes its database, also when `body` throws.
    static func with<Value: Sendable>(
        tokenLifetime: Int64 = 3600,
        signingKey: SigningKey? = nil,
        _ body: (LiveServer) async throws -> Value
    ) async throws -> Value {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = LiveServer(
            directory: directory, store: try SQLiteStore(path: directory.appendingPathComponent("intake.sqlite").path))
        do {
            try await server.start(tokenLifetime: tokenLifetime, signingKey: signingKey)
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    var port: Int { state.withLock { $0.port } }
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var environment: IntakeEnvironment { .custom(baseURL: baseURL) }

    /// A client of this server with its own token provider (not the process-wide shared one).
    func client(_ credentials: IntakeCredentials, http: HTTPClient) -> IntakeClient {
        IntakeClient(tokens: TokenProvider(environment: environment, credentials: credentials, httpClient: http), httpClient: http)
    }
    var isRunning: Bool { state.withLock { $0.task != nil } }

    /// Starts the server (on the port of the first start, if there was one) and returns once it listens.
    func start(tokenLifetime: Int64 = 3600, signingKey: SigningKey? = nil) async throws {
        precondition(!isRunning, "the server is already running")
        var logger = Logger(label: "intake-kit-tests")
        logger.logLevel = .critical
        let server = try await IntakeServer(
            store: store,
            configuration: IntakeServerConfiguration(
                host: "127.0.0.1", port: port, issuer: Self.issuer, tokenLifetime: tokenLifetime,
                registryPollInterval: .milliseconds(50)),
            signingKey: signingKey,
            logger: logger)
        let running = try await ListeningApplication.start { onBound in try server.makeApplication(onServerRunning: onBound) }
        state.withLock { state in
            state.task = running.task
            state.listener = running.listener
            state.port = running.port
        }
    }

    /// Stops the server as a crash would: requests in flight are cut off, connections drop.
    func stop() async {
        let (task, listener) = state.withLock { state in
            defer { (state.task, state.listener) = (nil, nil) }
            return (state.task, state.listener)
        }
        guard let task else { return }
        await Self.kill(task, listener: listener)
    }

    /// Cancels the task running a Hummingbird server. The listening socket is closed first, and the
    /// accept loop given a moment to hand out the connections it has already accepted: a connection
    /// still queued in it when the task is cancelled is dropped unopened, and NIO then stops the
    /// process ("Deinited NIOAsyncWriter without calling finish()").
    static func kill(_ task: Task<Void, any Error>, listener: (any Channel)?) async {
        if let listener {
            try? await listener.close()
            try? await Task.sleep(for: .milliseconds(100))
        }
        task.cancel()
        _ = try? await task.value
    }

    /// Stops the server and starts it again on the same port over the same database.
    func restart(tokenLifetime: Int64 = 3600, signingKey: SigningKey? = nil) async throws {
        await stop()
        try await start(tokenLifetime: tokenLifetime, signingKey: signingKey)
    }

    // MARK: Clients

    /// Registers a client in the database (as `intake clients create` does) and waits until the
    /// running server accepts it. The check uses its own HTTP request, so no SDK counter moves.
    func register(
        scopes: String = "events:write events:read", account: String = "default"
    ) async throws -> IntakeCredentials {
        let (_, registered) = try await store.registerClient(
            name: "kit-test", account: account, scopes: try ScopeSet(parsing: scopes))
        let credentials = IntakeCredentials(clientID: registered.clientID, clientSecret: registered.clientSecret)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while try await rawTokenStatus(credentials) != 200 {
            guard clock.now < deadline else { throw LiveServerError.clientNotPickedUp }
            try await Task.sleep(for: .milliseconds(20))
        }
        return credentials
    }

    /// The status of one `POST /oauth2/token` for `credentials`, sent without the SDK.
    func rawTokenStatus(_ credentials: IntakeCredentials) async throws -> UInt {
        var request = HTTPClientRequest(url: baseURL + "/oauth2/token")
        request.method = .POST
        let basic = Data("\(credentials.clientID):\(credentials.clientSecret)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }
}

enum LiveServerError: Error {
    case didNotStart
    case clientNotPickedUp
}

// MARK: - Helpers shared by the tests

/// Runs `body` with a dedicated HTTP client (its own connection pool), shut down afterwards.
func withHTTPClient<Value: Sendable>(
    connections: Int = 8, _ body: (HTTPClient) async throws -> Value
) async throws -> Value {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
        let value = try await body(client)
        try await client.shutdown()
        return value
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// Retries that span a server restart, as `intake send` configures them.
let patientRetry = RetryPolicy(
    maximumAttempts: 1000, initialDelay: .milliseconds(20), maximumDelay: .milliseconds(500),
    maximumTotalTime: .seconds(30))

/// Every event of the client's account, following `next_cursor`.
func allEvents(_ client: IntakeClient, _ query: IntakeKit.EventQuery = IntakeKit.EventQuery(limit: 1000)) async throws -> [EventPage.StoredEvent] {
    var events: [EventPage.StoredEvent] = []
    var query = query
    for _ in 0..<1000 {
        let page = try await client.events(query)
        events += page.events
        guard let next = page.nextCursor else { return events }
        query.after = next
    }
    Issue.record("pagination did not end")
    return events
}

/// A valid event for `source`.
func sampleEvent(_ source: String, number: Int, type: EventType = .lead, affiliateID: String? = nil) -> Event {
    Event(
        type: type, name: "signup", sourceID: source, fields: ["email": .string("n\(number)@example.com"), "n": .integer(Int64(number))],
        eventID: "\(source)-\(number)", affiliateID: affiliateID)
}
