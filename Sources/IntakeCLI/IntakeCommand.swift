import ArgumentParser

/// `intake`: the server, its client registry, and a client of the API, in one executable.
@main
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "A partner event API secured with the OAuth 2.0 Client Credentials Grant.",
        subcommands: [ServeCommand.self, ClientsCommand.self, KeysCommand.self, AuditCommand.self, EventsCommand.self, TokenCommand.self, SendCommand.self]
    )
}
