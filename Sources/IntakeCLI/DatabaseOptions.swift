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
    var displayLocation: String {
        guard PostgresConnectionURL.isPostgres(location), var components = URLComponents(string: location) else {
            return location
        }
        if components.password != nil { components.password = "***" }
        return components.string ?? "PostgreSQL"
    }

    /// Opens the store and runs `body` with it; a PostgreSQL client runs for as long as `body` does.
    func withStore<Value: Sendable>(
        logger: Logger = Logger(label: "intake"), _ body: @Sendable (any IntakeStore) async throws -> Value
    ) async throws -> Value {
        let location = self.location
        guard PostgresConnectionURL.isPostgres(location) else {
            let store: SQLiteStore
            do {
                store = try SQLiteStore(path: location)
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
