import ArgumentParser
import Foundation
import IntakeCore
import IntakeSQLite

/// `--database`, shared by every command that opens the store.
struct DatabaseOptions: ParsableArguments {
    static let defaultPath = "./.intake/intake.sqlite"

    @Option(
        name: .long,
        help: "SQLite file path or postgres:// URL (env INTAKE_DATABASE_URL; default \(DatabaseOptions.defaultPath)).")
    var database: String?

    var location: String {
        database ?? ProcessInfo.processInfo.environment["INTAKE_DATABASE_URL"] ?? Self.defaultPath
    }

    func openStore() throws -> any IntakeStore {
        let location = self.location
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            throw ValidationError("PostgreSQL storage is not available in this build yet; use a SQLite file path")
        }
        do {
            return try SQLiteStore(path: location)
        } catch {
            throw CLIError("cannot open the database at \(location): \(Self.reason(error))")
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
