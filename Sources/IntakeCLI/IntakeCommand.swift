import ArgumentParser

/// `intake`: the server, its client registry, and a client of the API, in one executable.
@main
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "A partner event API secured with the OAuth 2.0 Client Credentials Grant.",
        subcommands: [ServeCommand.self, ClientsCommand.self, KeysCommand.self, AuditCommand.self, EventsCommand.self, TokenCommand.self, SendCommand.self]
    )

    /// ArgumentParser's `main`, with the buffered log lines written before the process ends
    /// (and before an error's own line).
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            CLILogging.flush()
        } catch {
            CLILogging.flush()
            exit(withError: error)
        }
    }
}
