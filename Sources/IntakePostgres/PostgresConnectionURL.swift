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

    package static func configuration(from text: String) throws(Invalid) -> PostgresClient.Configuration {
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
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw Invalid(description: "sslmode must be disable, prefer or require")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: username,
            password: components.password, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = 16
        return configuration
    }
}
