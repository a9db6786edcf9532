import Foundation
import IntakePostgres
import Logging
import PostgresNIO

/// The PostgreSQL the tests may use: `INTAKE_TEST_POSTGRES_URL` (for example the one
/// `scripts/throwaway-postgres.sh` prints). Every test gets a database of its own, created from
/// that URL's database and dropped afterwards, so tests run in parallel without seeing each other.
///
/// ```swift
/// @Test(.enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.skipMessage)))
/// func twoStores() async throws {
///     try await PostgresTestDatabase.withFreshDatabase { name in
///         let url = try PostgresTestDatabase.url(database: name)
///     }
/// }
/// ```
package enum PostgresTestDatabase {
    package static let environmentVariable = "INTAKE_TEST_POSTGRES_URL"

    /// The server URL, or nil when PostgreSQL tests are not configured.
    package static let url: String? = {
        guard let value = ProcessInfo.processInfo.environment[environmentVariable], !value.isEmpty else { return nil }
        return value
    }()

    package static var isConfigured: Bool { url != nil }

    package static let skipMessage = "\(environmentVariable) is not set (see scripts/throwaway-postgres.sh)"

    package static let logger: Logger = {
        var logger = Logger(label: "intake-tests.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// At most this many test databases exist at once: the machine is small and every database
    /// costs a `CREATE DATABASE` and a few connections. (So a test must not nest fresh databases.)
    private static let limiter = AsyncLimiter(4)

    /// The configuration of the database `name` on the configured server; `connections` bounds
    /// the pool of each store, so that many parallel tests stay under the server's `max_connections`.
    package static func configuration(database name: String?, connections: Int = 4) throws -> PostgresClient.Configuration {
        let url = try configuredURL()
        var configuration = try PostgresConnectionURL.configuration(from: url)
        if let name { configuration.database = name }
        configuration.options.maximumConnections = connections
        return configuration
    }

    /// The URL of the database `name` on the configured server (the configured URL with another path).
    package static func url(database name: String) throws -> String {
        guard var components = URLComponents(string: try configuredURL()) else {
            throw TestDatabaseError(description: "\(environmentVariable) is not a URL")
        }
        components.path = "/" + name
        guard let url = components.string else { throw TestDatabaseError(description: "no URL for database \(name)") }
        return url
    }

    private static func configuredURL() throws -> String {
        guard let url else { throw TestDatabaseError(description: skipMessage) }
        return url
    }

    /// Creates an empty database with a fresh name, runs `body` with that name, then drops it
    /// (forcibly, so that a connection a failed test left behind cannot keep it alive).
    package static func withFreshDatabase<Value: Sendable>(_ body: (String) async throws -> Value) async throws -> Value {
        try await reachability.value
        await limiter.acquire()
        let result: Result<Value, any Error>
        do {
            result = .success(try await createUseAndDrop(body))
        } catch {
            result = .failure(error)
        }
        await limiter.release()
        return try result.get()
    }

    /// Tried once per run: when the server cannot be reached, every PostgreSQL test fails at once
    /// with this error instead of each waiting for the pool to give up.
    private static let reachability = Task {
        do {
            try await administer("SELECT 1")
        } catch {
            throw TestDatabaseError(description: "\(environmentVariable) is set but PostgreSQL does not answer there: \(error)")
        }
    }

    private static func createUseAndDrop<Value: Sendable>(_ body: (String) async throws -> Value) async throws -> Value {
        let name = "intake_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // Text sorts as in English (ICU), as on most production servers (the official Docker image
        // defaults to en_US.utf8) and unlike a throwaway `initdb` in the C locale, so that a query
        // whose order depends on the server's collation shows up here. Where ICU is unavailable
        // (PostgreSQL built without it, or before 15) the server's default has to do.
        do {
            try await administer("CREATE DATABASE \(name) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en'")
        } catch {
            try await administer("CREATE DATABASE \(name)")
        }
        let value: Value
        do {
            value = try await body(name)
        } catch {
            try? await administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
        try await administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        return value
    }

    /// Runs one statement (`CREATE DATABASE`, `ALTER DATABASE`, `DROP DATABASE`) on the configured
    /// URL's own database.
    package static func administer(_ statement: String) async throws {
        let client = PostgresClient(
            configuration: try configuration(database: nil, connections: 1), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
    }
}
