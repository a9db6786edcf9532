import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeServer
import IntakeTestSupport
import Logging
import NIOCore
import Testing

/// A live Intake server on loopback over a fresh SQLite database in its own temporary directory
/// (or over any store, see ``run(store:maximumBodySize:tokenLifetime:registryPollInterval:_:)``),
/// plus the single-connection test client that talks to it.
///
/// ```swift
/// try await TestServer.run { server in
///     let credentials = try await server.register()
///     let token = try await server.token(for: credentials)
/// }
/// ```
struct TestServer: Sendable {
    static let issuer = TokenForge.serverIssuer

    let store: any IntakeStore
    let server: IntakeServer
    let client: any TestClientProtocol

    var signingKey: SigningKey { server.signingKey }

    /// Starts a server, runs `body` against it, stops it and removes its database.
    static func run<Value: Sendable>(
        maximumBodySize: Int = 1 << 20,
        tokenLifetime: Int64 = 3600,
        logger: Logger? = nil,
        configure: @Sendable (inout IntakeServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestServer) async throws -> Value
    ) async throws -> Value {
        // Before the store: its group commits take their metrics handlers from the bootstrapped system.
        _ = PrometheusBootstrap.registry
        return try await TemporaryDirectory.with { directory in
            try await run(
                store: try SQLiteStore(path: directory.appendingPathComponent("intake.sqlite").path),
                maximumBodySize: maximumBodySize, tokenLifetime: tokenLifetime, logger: logger, configure: configure, body)
        }
    }

    /// Starts a server over the SQLite database at `databasePath` (which the caller cleans up).
    static func run<Value: Sendable>(
        databasePath: String,
        maximumBodySize: Int = 1 << 20,
        tokenLifetime: Int64 = 3600,
        _ body: @Sendable (TestServer) async throws -> Value
    ) async throws -> Value {
        try await run(
            store: try SQLiteStore(path: databasePath), maximumBodySize: maximumBodySize, tokenLifetime: tokenLifetime,
            body)
    }

    /// Starts a server over `store` (which the caller opens and cleans up).
    static func run<Value: Sendable>(
        store: any IntakeStore,
        maximumBodySize: Int = 1 << 20,
        tokenLifetime: Int64 = 3600,
        registryPollInterval: Duration = .milliseconds(100),
        signingKey: SigningKey? = nil,
        logger: Logger? = nil,
        configure: @Sendable (inout IntakeServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestServer) async throws -> Value
    ) async throws -> Value {
        var quiet = Logger(label: "intake-tests")
        quiet.logLevel = .error
        let logger = logger ?? quiet
        var configuration = IntakeServerConfiguration(
            host: "127.0.0.1", port: 0, issuer: issuer, tokenLifetime: tokenLifetime,
            maximumBodySize: maximumBodySize, registryPollInterval: registryPollInterval)
        configure(&configuration)
        let server = try await IntakeServer(store: store, configuration: configuration, signingKey: signingKey, logger: logger)
        let app = try server.makeApplication()
        return try await app.test(.live) { client in
            try await body(TestServer(store: store, server: server, client: client))
        }
    }

    /// Runs this server's operators' listener (metrics, and the admin API when the configuration
    /// has an admin token) live on loopback for `body`.
    func withAdminListener<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await server.makeAdminApplication().test(.live) { admin in try await body(admin) }
    }

    // MARK: Clients

    /// Registers a client through the store (as `intake clients create` does) and waits until the
    /// running server has picked it up, so that the test can use it at once.
    func register(
        name: String = "partner", account: String = "default", scopes: String = "events:write"
    ) async throws -> ClientCredentials {
        let credentials = try await registerWithoutWaiting(name: name, account: account, scopes: scopes)
        let known = try await eventually { try await tokenRequest(credentials).status == .ok }
        try #require(known, "the server did not pick up a new client within 5 s")
        return credentials
    }

    /// Registers a client through the store only; the server sees it after its next registry poll.
    func registerWithoutWaiting(
        name: String = "partner", account: String = "default", scopes: String = "events:write"
    ) async throws -> ClientCredentials {
        let (_, credentials) = try await store.registerClient(
            name: name, account: account, scopes: try ScopeSet(parsing: scopes))
        return credentials
    }

    /// A client whose token is valid and allowed to both send and read, in `account`.
    func registerReaderWriter(account: String = "default") async throws -> ClientCredentials {
        try await register(name: "reader-writer", account: account, scopes: "events:write events:read")
    }

    // MARK: Requests

    func request(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil
    ) async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func request(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], bytes: [UInt8]
    ) async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    /// `POST /oauth2/token` with a form body and, when given, an `Authorization` header.
    func tokenRequest(
        form: String = "grant_type=client_credentials", authorization: String? = nil,
        contentType: String? = "application/x-www-form-urlencoded", extraHeaders: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extraHeaders
        if let contentType { headers[.contentType] = contentType }
        if let authorization { headers.append(HTTPField(name: .authorization, value: authorization)) }
        return try await request(.post, "/oauth2/token", headers: headers, body: form)
    }

    /// `POST /oauth2/token` with HTTP Basic credentials (RFC 7617).
    func tokenRequest(
        _ credentials: ClientCredentials, form: String = "grant_type=client_credentials"
    ) async throws -> TestResponse {
        try await tokenRequest(form: form, authorization: basic(credentials.clientID, credentials.clientSecret))
    }

    /// An access token for `credentials`; fails the test when the server does not give one.
    func token(for credentials: ClientCredentials, scope: String? = nil) async throws -> String {
        var form = "grant_type=client_credentials"
        if let scope { form += "&scope=" + formEncoded(scope) }
        let response = try await tokenRequest(credentials, form: form)
        try #require(response.status == .ok, "token request failed: \(response.status) \(response.text)")
        return try #require(try response.json()["access_token"]?.string)
    }

    func post(
        _ path: String, json: String, token: String, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = headers[.contentType] ?? "application/json"
        headers[.authorization] = "Bearer \(token)"
        return try await request(.post, path, headers: headers, body: json)
    }

    func get(_ uri: String, token: String) async throws -> TestResponse {
        try await request(.get, uri, headers: [.authorization: "Bearer \(token)"])
    }

    /// Every event of the token's account (following `next_cursor`), oldest first.
    func allEvents(token: String, query: String = "") async throws -> [JSONValue] {
        var events: [JSONValue] = []
        var cursor: String?
        for _ in 0..<100 {
            var uri = "/v2/events?limit=1000" + (query.isEmpty ? "" : "&" + query)
            if let cursor { uri += "&after=" + formEncoded(cursor) }
            let response = try await get(uri, token: token)
            try #require(response.status == .ok, "GET \(uri) failed: \(response.status) \(response.text)")
            let page = try response.json()
            events += try #require(page["events"]?.array)
            guard let next = page["next_cursor"]?.string else { return events }
            cursor = next
        }
        Issue.record("pagination did not end")
        return events
    }

    /// One request on a connection of its own, for requests whose answer closes the connection
    /// (a refused body is never read, so the connection cannot carry another request).
    func requestOnItsOwnConnection(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String
    ) async throws -> TestClient.Response {
        let request = TestClient.Request(uri, method: method, authority: "localhost", headers: headers, body: ByteBuffer(string: body))
        return try await withExtraConnection { try await $0.execute(request) }
    }

    /// A second connection to the same server, for requests that may cost their connection.
    func withExtraConnection<Value: Sendable>(
        _ body: @escaping @Sendable (TestClient) async throws -> Value
    ) async throws -> Value {
        let port = try #require(client.port)
        return try await TestClient.withClient(
            host: "localhost", port: port, configuration: .init(timeout: .seconds(10))
        ) { extra in
            try await body(extra)
        }
    }
}

// MARK: - Encoding helpers

/// `Basic base64(id ":" secret)`, UTF-8 before base64 (RFC 7617).
func basic(_ id: String, _ secret: String) -> String {
    "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
}

/// `Basic base64(bytes)`, for malformed credentials.
func basic(rawBytes: [UInt8]) -> String {
    "Basic " + Data(rawBytes).base64EncodedString()
}

/// `application/x-www-form-urlencoded` encoding of one value: unreserved characters stay, the rest
/// become `%XX` (space too, which is also legal).
func formEncoded(_ value: String) -> String {
    var out = ""
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.append(Character(Unicode.Scalar(byte)))
        default:
            out += String(format: "%%%02X", byte)
        }
    }
    return out
}

/// Every byte as `%XX`, unreserved characters included.
func percentEncodedEveryByte(_ value: String) -> String {
    value.utf8.map { String(format: "%%%02X", $0) }.joined()
}

// MARK: - Response helpers

extension TestResponse {
    var text: String { String(buffer: body) }

    var bytes: [UInt8] { Array(body.readableBytesView) }

    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
    }

    /// The response's headers without the ones that legitimately vary per response.
    var stableHeaders: [String: [String]] {
        var result: [String: [String]] = [:]
        for field in headers where field.name != .date && field.name != .xRequestID {
            result[field.name.canonicalName, default: []].append(field.value)
        }
        return result
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let values) = self, values.indices.contains(index) { return values[index] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// `errors[].field` of a problem document.
    var problemFields: [String] {
        (self["errors"]?.array ?? []).compactMap { $0["field"]?.string }
    }

    /// Parses JSON text written in a test.
    static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
