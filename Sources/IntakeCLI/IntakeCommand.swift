import ArgumentParser

/// `intake`: the server, the client registry and (later) the API client, in one executable.
@main
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "A partner event API secured with the OAuth 2.0 Client Credentials Grant.",
        subcommands: [ServeCommand.self, ClientsCommand.self]
    )
}
