import ArgumentParser
import Foundation
import IntakeCore
import IntakePostgres
import IntakeSQLite
import Logging

/// `--database`, shared by every command that opens the store: a SQLite file path or a
/// `postgres://` URL.
struct DatabaseOptions: ParsableArguments {
    static let defaultPath = "./.intake/intake.sqlite"

    @Option(
        name: .long,
        help: "SQLite file path or postgres:// URL (env INTAKE_DATABASE_URL; default \(DatabaseOptions.defaultPath)).")
    var database: String?

    var location: String {
        database ?? ProcessInfo.processInfo.environment["INTAKE_DATABASE_URL"] ?? Self.defaultPath
    }

    /// Where the data is, for messages: the path, or the PostgreSQL URL without its password.
    /// A URL that does not parse is not shown at all, since its password could not be found to hide.
    var displayLocation: String {
        Self.displayLocation(of: location)
    }

    static func displayLocation(of location: String) -> String {
        guard let scheme = urlScheme(of: location) else { return location }
        guard var components = URLComponents(string: location), components.host != nil else {
            return "\(scheme)://… (not shown)"
        }
        if components.password != nil { components.password = "***" }
        return components.string ?? "\(scheme)://… (not shown)"
    }

    /// Why `location` cannot be used, or nil. Only PostgreSQL URLs and plain paths are stores: any
    /// other `scheme://` (or a `file:` URL) would otherwise become a directory tree and a fresh
    /// SQLite database. The message names the scheme only, never the rest, which may hold a password.
    static func refusal(of location: String) -> String? {
        if location.isEmpty { return "--database must not be empty" }
        if let scheme = urlScheme(of: location), !PostgresConnectionURL.isPostgres(location) {
            return "--database: \(scheme):// URLs are not supported; give a SQLite file path or a postgres:// URL"
        }
        if location.lowercased().hasPrefix("file:") {
            return "--database: file: URLs are not supported; give the SQLite file's path instead"
        }
        return nil
    }

    /// `mysql` for `mysql://…`; nil for anything that is not `scheme://` (RFC 3986 §3.1).
    private static func urlScheme(of location: String) -> String? {
        guard let separator = location.range(of: "://") else { return nil }
        let scheme = location[..<separator.lowerBound]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
            scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) })
        else { return nil }
        return String(scheme)
    }

    /// Opens the store and runs `body` with it; a PostgreSQL client runs for as long as `body` does.
    func withStore<Value: Sendable>(
        logger: Logger? = nil, _ body: @Sendable (any IntakeStore) async throws -> Value
    ) async throws -> Value {
        let logger = logger ?? CLILogging.logger()
        let location = self.location
        if let refusal = Self.refusal(of: location) { throw CLIError(refusal) }
        guard PostgresConnectionURL.isPostgres(location) else {
            let store: SQLiteStore
            do {
                store = try SQLiteStore(path: location, logger: logger)
            } catch {
                throw CLIError("cannot open the database at \(location): \(Self.reason(error))")
            }
            return try await body(store)
        }
        do {
            _ = try PostgresConnectionURL.configuration(from: location)
        } catch {
            throw CLIError("--database: \(error)")
        }
        let shown = displayLocation
        do {
            return try await PostgresStore.withRunningStore(location, logger: logger) { store in
                try await body(store)
            }
        } catch let error as CLIError {
            throw error
        } catch let error as PostgresUnavailable {
            throw CLIError("cannot use the database \(shown): \(error)")
        } catch where String(reflecting: type(of: error)).contains("PSQLError") {
            throw CLIError("cannot use the PostgreSQL database \(shown): is it running, reachable, and the user allowed?")
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return String(describing: error)
    }
}

/// A one-line error for the operator, printed as `Error: …` with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
