import ArgumentParser
import Foundation
import IntakeCore

/// `intake clients …`: the client registry. Changes reach a running server within seconds.
struct ClientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "Manage OAuth clients.",
        subcommands: [Create.self, List.self, Disable.self, Enable.self, RotateSecret.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a client and print its credentials once.")

        @Option(help: "A label for the client.") var name: String
        @Option(
            help: ArgumentHelp(
                "Space-separated scopes.",
                discussion: """
                    Intake itself checks events:write (send) and events:read (read back). Other scopes \
                    are allowed and carried in the client's tokens, for other services that trust \
                    Intake's tokens; each must be RFC 6749 §3.3 scope-token characters: printable \
                    ASCII without space, " or \\.
                    """))
        var scope = ScopeSet.eventsWrite
        @Option(help: "The account whose events the client sends and reads.") var account = "default"
        @Option(
            name: .customLong("token-ttl"),
            help: "Lifetime of this client's tokens in seconds (a server never issues longer than its own --token-ttl).")
        var tokenTTL: Int64?
        @Flag(help: "Print one JSON object.") var json = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            try Self.checkLabel(name, option: "--name")
            try Self.checkLabel(account, option: "--account")
            if let unsafe = TerminalText.firstUnsafeScalar(in: scope) {
                throw ValidationError("--scope must not contain control characters (found \(DisplayText.scalarName(unsafe)))")
            }
            let scopes: ScopeSet
            do {
                scopes = try ScopeSet(parsing: scope)
            } catch .malformed(let token) {
                throw ValidationError(
                    "--scope: \"\(token)\" is not a scope: a scope is printable ASCII without space, \" or \\ (RFC 6749 §3.3)")
            }
            guard !scopes.isEmpty else {
                throw ValidationError("--scope must name at least one scope, e.g. \"events:write events:read\"")
            }
            if let tokenTTL, !(1...AccessTokenVerifier.maximumLifetime).contains(tokenTTL) {
                throw ValidationError("--token-ttl must be 1 to \(AccessTokenVerifier.maximumLifetime) seconds")
            }
        }

        /// Names and accounts are shown in terminals by `clients list` (see ``DisplayText``).
        private static func checkLabel(_ value: String, option: String) throws {
            if let problem = DisplayText.labelProblem(value) { throw ValidationError("\(option) \(problem)") }
        }

        func run() async throws {
            let (name, account, scopes, tokenTTL) = (name, account, try ScopeSet(parsing: scope), tokenTTL)
            let (client, credentials) = try await database.withStore { store in
                try await administration(store).create(name: name, account: account, scopes: scopes, tokenLifetime: tokenTTL)
            }
            if json {
                var object = [
                    "client_id": credentials.clientID, "client_secret": credentials.clientSecret, "name": client.name,
                    "account": client.account, "scope": client.scopes.description,
                ]
                if let tokenTTL { object["token_ttl"] = String(tokenTTL) }
                try Console.printJSON(object)
            } else {
                print("""
                    client_id:     \(credentials.clientID)
                    client_secret: \(credentials.clientSecret)
                    name:          \(client.name)
                    account:       \(client.account)
                    scope:         \(client.scopes)
                    """)
                if let tokenTTL { print("token_ttl:     \(tokenTTL) s") }
                print("The secret is shown only now; store it safely.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List clients (never their secrets).")

        @Flag(help: "Print one JSON object per line.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let clients = try await database.withStore { try await $0.clients() }
            let now = UnixTime.now()
            for client in clients {
                // The previous secret only while it still works.
                let previousUntil = client.previousSecret.flatMap { $0.validUntil > now ? $0.validUntil : nil }
                if json {
                    var object = [
                        "client_id": client.id, "name": client.name, "account": client.account,
                        "scope": client.scopes.description, "enabled": client.isEnabled ? "true" : "false",
                    ]
                    if let ttl = client.tokenLifetime { object["token_ttl"] = String(ttl) }
                    if let previousUntil { object["previous_secret_valid_until"] = Timestamp.format(seconds: previousUntil) }
                    try Console.printJSON(object)
                } else {
                    // Rows may predate the checks on `create` (or come from another writer): the
                    // terminal is never driven by stored text.
                    let state = client.isEnabled ? "enabled " : "disabled"
                    let (id, account, scopes, name) = (
                        TerminalText.escaped(client.id), TerminalText.escaped(client.account),
                        TerminalText.escaped(client.scopes.description), TerminalText.escaped(client.name)
                    )
                    var line = "\(id)  \(state)  account=\(account)  scope=\"\(scopes)\"  name=\(name)"
                    if let ttl = client.tokenLifetime { line += "  token_ttl=\(ttl)s" }
                    if let previousUntil { line += "  old secret valid until \(Timestamp.format(seconds: previousUntil))" }
                    print(line)
                }
            }
            if clients.isEmpty && !json { print("No clients.") }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse a client's credentials and tokens.")
        @Argument(help: "The client id.") var id: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let id = self.id
            try require(await database.withStore { try await administration($0).setEnabled(id: id, false) }, id: id)
            print("Disabled \(id).")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a disabled client again.")
        @Argument(help: "The client id.") var id: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let id = self.id
            try require(await database.withStore { try await administration($0).setEnabled(id: id, true) }, id: id)
            print("Enabled \(id).")
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Give a client a new secret, which works at once; the old one keeps working for --grace.")
        @Argument(help: "The client id.") var id: String
        @Option(help: "How long the old secret keeps working, e.g. 90s, 15m, 24h (default 0: it stops at once).")
        var grace = DurationArgument(seconds: 0)
        @Flag(help: "Print one JSON object.") var json = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard grace.seconds <= ClientAdministration.maximumGrace else { throw ValidationError("--grace must be at most 30d") }
        }

        func run() async throws {
            let (id, grace, now) = (self.id, grace.seconds, UnixTime.now())
            guard
                let credentials = try await database.withStore({
                    try await administration($0).rotateSecret(id: id, grace: grace, now: now)
                })
            else {
                throw CLIError("no client has the id \(id)")
            }
            let until = Timestamp.format(seconds: now.saturatingAdding(grace))
            if json {
                var object = ["client_id": credentials.clientID, "client_secret": credentials.clientSecret]
                if grace > 0 { object["previous_secret_valid_until"] = until }
                try Console.printJSON(object)
            } else {
                print("client_id:     \(credentials.clientID)\nclient_secret: \(credentials.clientSecret)")
                print(grace > 0 ? "The old secret keeps working until \(until)." : "The old secret no longer works.")
                print("The secret is shown only now; store it safely.")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a client; its tokens stop working.")
        @Argument(help: "The client id.") var id: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let id = self.id
            try require(await database.withStore { try await administration($0).delete(id: id) }, id: id)
            print("Deleted \(id).")
        }
    }
}

/// Client changes made from the CLI, each recorded in the audit trail as the CLI's.
private func administration(_ store: any IntakeStore) -> ClientAdministration {
    ClientAdministration(store: store, trail: AuditTrail.cli(store))
}

private func require(_ found: Bool, id: String) throws {
    guard found else { throw CLIError("no client has the id \(id)") }
}
