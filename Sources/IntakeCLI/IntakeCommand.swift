import ArgumentParser
import Foundation
import IntakeServer

/// `intake`: the server, its client registry, and a client of the API, in one executable.
@main
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "A partner event API secured with the OAuth 2.0 Client Credentials Grant.",
        version: IntakeVersion.current,
        subcommands: [ServeCommand.self, ClientsCommand.self, KeysCommand.self, AuditCommand.self, EventsCommand.self, TokenCommand.self, SendCommand.self]
    )

    /// ArgumentParser's `main`, with the buffered log lines written before the process ends
    /// (and before an error's own line).
    static func main() async {
        do {
            var arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == ServeCommand.configuration.commandName {
                arguments = try EnvironmentOptions.serve.arguments(adding: arguments, from: ProcessInfo.processInfo.environment)
            }
            var command = try await asyncParseAsRoot(arguments)
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
