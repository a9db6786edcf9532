import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` URL, as `--database` and
/// `INTAKE_DATABASE_URL` take it, turned into a client configuration.
///
/// `sslmode` is `disable`, `prefer` (the default, as in libpq) or `require`.
///
/// ```swift
/// let configuration = try PostgresConnectionURL.configuration(from: "postgres://intake:secret@127.0.0.1:5432/intake")
/// ```
package enum PostgresConnectionURL {
    package struct Invalid: Error, CustomStringConvertible {
        package var description: String
    }

    /// Whether `location` names a PostgreSQL database rather than a SQLite file.
    package static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// The client (pool) configuration of `text`.
    package static func configuration(from text: String) throws(Invalid) -> PostgresClient.Configuration {
        let url = try Parts(text)
        let tls: PostgresClient.Configuration.TLS =
            switch url.sslMode {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: tls)
        configuration.options.maximumConnections = 16
        configuration.options.connectTimeout = PostgresUnavailable.connectTimeout
        return configuration
    }

    /// The configuration of one connection to `text`, for the check at start.
    static func connectionConfiguration(from text: String) throws -> PostgresConnection.Configuration {
        let url = try Parts(text)
        let tls: PostgresConnection.Configuration.TLS =
            switch url.sslMode {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: tls)
        configuration.options.connectTimeout = TimeAmount(PostgresUnavailable.connectTimeout)
        return configuration
    }

    /// The pieces of a URL, checked.
    struct Parts {
        enum SSLMode { case disable, prefer, require }

        var host: String
        var port: Int
        var username: String
        var password: String?
        var database: String?
        var sslMode: SSLMode

        init(_ text: String) throws(Invalid) {
            guard isPostgres(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty
            else {
                throw Invalid(description: "not a postgres://user:password@host:port/database URL")
            }
            // `user` and `password` are already percent-decoded; decoding them again would turn a
            // password such as `p%2541` (meaning `p%41`) into `pA`.
            guard let username = components.user, !username.isEmpty else {
                throw Invalid(description: "the PostgreSQL URL needs a user name")
            }
            let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer" {
            case "disable": sslMode = .disable
            case "prefer", "allow": sslMode = .prefer
            case "require", "verify-ca", "verify-full": sslMode = .require
            default: throw Invalid(description: "sslmode must be disable, prefer or require")
            }
            self.host = host
            self.port = components.port ?? 5432
            self.username = username
            self.password = components.password
            self.database = database.isEmpty ? nil : database
        }
    }
}
