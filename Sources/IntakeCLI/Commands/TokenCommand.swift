import ArgumentParser
import IntakeKit

/// `intake token`: one access token on stdout, for `curl -H "Authorization: Bearer $(intake token)"`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Print an access token.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let tokens = TokenProvider(
            environment: try client.resolvedEnvironment(), credentials: try client.credentials(), scope: client.scope,
            httpClient: ClientOptions.promptHTTPClient)
        do {
            print(try await tokens.token())
        } catch let error as IntakeError {
            throw CLIError(error.description)
        }
    }
}
