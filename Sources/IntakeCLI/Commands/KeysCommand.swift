import ArgumentParser
import Foundation
import IntakeCore

/// `intake keys …`: the signing key set. A rotation signs on every running server within seconds.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the keys that sign access tokens.",
        discussion: """
            Keys live in the database; set \(KeyMaterialCipher.environmentVariable) (32 random bytes, base64url) \
            to keep them encrypted there. Servers started with INTAKE_SIGNING_KEY use that one key instead.
            """,
        subcommands: [List.self, Rotate.self]
    )

    /// One key as `keys list --json` and `keys rotate --json` print it.
    struct KeyDescription: Encodable {
        var kid: String
        var alg: String
        var status: String
        var created_at: String
        var retires_at: String?

        init(_ key: StoredSigningKey) {
            kid = key.id
            alg = key.algorithm.rawValue
            status = key.status.rawValue
            created_at = Timestamp.format(seconds: key.createdAt)
            retires_at = key.status == .retiring ? key.retiresAt.map { Timestamp.format(seconds: $0) } : nil
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys, newest first (never their material).")

        @Flag(help: "Print one JSON array.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            // Read only: listing never seals, retires or rotates anything.
            let keys = try await database.withStore { try await $0.signingKeys() }.map(KeyDescription.init)
            if json {
                try Console.printJSON(keys)
                return
            }
            for key in keys {
                let until = key.retires_at.map { "  verifies until \($0)" } ?? ""
                print("\(TerminalText.escaped(key.kid))  \(key.alg.padding(toLength: 5, withPad: " ", startingAt: 0))  \(key.status.padding(toLength: 8, withPad: " ", startingAt: 0))  created \(key.created_at)\(until)")
            }
            if keys.isEmpty { print("No keys yet: the first server start makes one (or run intake keys rotate).") }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new active key; the current one keeps verifying until its tokens have expired.")

        @Option(help: "The new key's algorithm: \(SigningAlgorithm.names) (default: the current key's).")
        var alg: String?
        @Flag(help: "Print one JSON object.") var json = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let alg, SigningAlgorithm(rawValue: alg) == nil {
                throw ValidationError("--alg must be one of \(SigningAlgorithm.names)")
            }
        }

        func run() async throws {
            let algorithm = alg.flatMap(SigningAlgorithm.init(rawValue:))
            let cipher = try KeysCommand.cipher()
            let key = try await database.withStore { store in
                try await KeyManager(store: store, cipher: cipher, trail: .cli(store)).rotate(to: algorithm)
            }
            if json {
                try Console.printJSON(KeyDescription(key))
            } else {
                print("\(key.id)  \(key.algorithm.rawValue)  active")
                print("Running servers sign with it within seconds; the previous key verifies until its tokens have expired.")
            }
        }
    }

    /// The cipher of `INTAKE_KEY_ENCRYPTION_KEY`; an unusable value stops the command.
    static func cipher() throws -> KeyMaterialCipher {
        do {
            return try KeyMaterialCipher(base64URL: ProcessInfo.processInfo.environment[KeyMaterialCipher.environmentVariable])
        } catch {
            throw CLIError("\(error)")
        }
    }
}
