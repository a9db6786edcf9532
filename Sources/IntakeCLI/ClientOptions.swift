import ArgumentParser
import AsyncHTTPClient
import Foundation
import IntakeKit
import NIOCore

/// Where the API is and who is calling, shared by `intake token` and `intake send`.
struct ClientOptions: ParsableArguments {
    @Option(help: "The server's base URL, e.g. http://127.0.0.1:8080 (env INTAKE_URL).")
    var url: String?

    @Option(help: "A hosted environment: staging or production.")
    var environment: String?

    @Option(name: .customLong("client-id"), help: "The client id (env INTAKE_CLIENT_ID).")
    var clientID: String?

    @Option(name: .customLong("client-secret"), help: "The client secret (env INTAKE_CLIENT_SECRET); prefer the environment variable, which other users cannot see in ps.")
    var clientSecret: String?

    @Option(help: "Space-separated scopes to ask for; default: all of the client's.")
    var scope: String?

    /// For `intake token`, which a script waits on: a refused connection fails its attempt at once
    /// and ``RetryPolicy`` decides what follows (AsyncHTTPClient's shared client reconnects until
    /// each request's deadline instead: a closed port took 30 s to report).
    static let promptHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    func validate() throws {
        _ = try resolvedEnvironment()
        _ = try credentials()
    }

    func resolvedEnvironment() throws -> IntakeEnvironment {
        guard url == nil || environment == nil else { throw ValidationError("give --url or --environment, not both") }
        if let name = environment {
            guard let named = IntakeEnvironment.named(name) else {
                throw ValidationError("--environment must be staging or production")
            }
            return named
        }
        guard let url = url ?? ProcessInfo.processInfo.environment["INTAKE_URL"] else {
            throw ValidationError("give --url URL (or INTAKE_URL) or --environment staging|production")
        }
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw ValidationError("--url must be an http(s) URL such as http://127.0.0.1:8080")
        }
        return .custom(baseURL: url)
    }

    func credentials() throws -> IntakeCredentials {
        let environmentVariables = ProcessInfo.processInfo.environment
        guard let id = clientID ?? environmentVariables["INTAKE_CLIENT_ID"], !id.isEmpty else {
            throw ValidationError("give --client-id or INTAKE_CLIENT_ID")
        }
        guard let secret = clientSecret ?? environmentVariables["INTAKE_CLIENT_SECRET"], !secret.isEmpty else {
            throw ValidationError("give --client-secret or INTAKE_CLIENT_SECRET")
        }
        return IntakeCredentials(clientID: id, clientSecret: secret)
    }
}
