import Foundation
import IntakePostgres
import Logging
import PostgresNIO
import Testing

/// The PostgreSQL given by `INTAKE_TEST_POSTGRES_URL` (for example the one
/// `scripts/throwaway-postgres.sh` prints). A test gets a database of its own, created from that
/// URL's database and dropped afterwards. (IntakeStoreTests has the same helper with more on it.)
enum PostgresTestDatabase {
    static let environmentVariable = "INTAKE_TEST_POSTGRES_URL"

    static let url: String? = {
        guard let value = ProcessInfo.processInfo.environment[environmentVariable], !value.isEmpty else { return nil }
        return value
    }()

    static var isConfigured: Bool { url != nil }

    static let skipMessage = "\(environmentVariable) is not set (see scripts/throwaway-postgres.sh)"

    static let logger: Logger = {
        var logger = Logger(label: "intake-server-tests.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// The URL of the database `name` on the configured server.
    static func url(database name: String) throws -> String {
        let url = try #require(url, "\(environmentVariable) is not set")
        var components = try #require(URLComponents(string: url))
        components.path = "/" + name
        return try #require(components.string)
    }

    /// Creates an empty database with a fresh name, runs `body` with its URL, then drops it.
    static func withFreshDatabase<Value: Sendable>(_ body: (String) async throws -> Value) async throws -> Value {
        let name = "intake_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await administer("CREATE DATABASE \(name)")
        let value: Value
        do {
            value = try await body(try url(database: name))
        } catch {
            try? await administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
        try await administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        return value
    }

    private static func administer(_ statement: String) async throws {
        var configuration = try PostgresConnectionURL.configuration(from: try #require(url))
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
    }
}
