import NIOCore
import NIOSSL
import PostgresNIO

/// Why the database could not be used, in one line an operator can act on: a refused password, an
/// unreachable host, a missing database. Never the password.
package struct PostgresUnavailable: Error, CustomStringConvertible, Sendable {
    package var description: String

    /// How long the first connection may take before the start is given up.
    static let connectTimeout: Duration = .seconds(5)

    /// Opens one connection (and closes it) before any pool exists: a pool retries a failing
    /// connection forever in the background, so a wrong password or a dead host would otherwise
    /// make the first query hang instead of failing at start.
    static func probe(_ url: String, logger: Logger) async throws {
        let configuration = try PostgresConnectionURL.connectionConfiguration(from: url)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch let error as PSQLError {
            throw PostgresUnavailable(error, url: try PostgresConnectionURL.Parts(url))
        }
    }

    init(_ error: PSQLError, url: PostgresConnectionURL.Parts) {
        let (host, port, user) = (url.host, url.port, url.username)
        let database = url.database ?? user
        switch (error.code, error.serverInfo?[.sqlState]) {
        case (.server, "28P01"?), (.server, "28000"?):
            description = "PostgreSQL at \(host):\(port) refused the user \(user) (wrong password, or not allowed by pg_hba.conf)"
        case (.server, "3D000"?):
            description = "PostgreSQL at \(host):\(port) has no database \(database)"
        case (.server, let state):
            description = "PostgreSQL at \(host):\(port) refused the connection (SQLSTATE \(state ?? "unknown"))"
        case (.sslUnsupported, _):
            description = "PostgreSQL at \(host):\(port) does not offer TLS; use sslmode=prefer or disable"
        default:
            description = "cannot reach PostgreSQL at \(host):\(port): refused, unreachable, or no answer within \(Self.connectTimeout)"
        }
    }
}
