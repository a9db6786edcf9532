import Foundation
import IntakeTestSupport
import Testing

/// `intake serve` started, stopped and configured as a service manager would.
@Suite("intake serve")
struct ServeCommandTests {
    static let badIssuers = [
        "", "not a url", "auth.example.com", "/relative", "ftp://auth.example.com", "https://", "https:///path",
        "https://auth.example.com/?tenant=1", "https://auth.example.com/#top", "https://u:p@auth.example.com",
        "https://auth.example.com/ x",
    ]

    @Test("--issuer that is not an absolute http(s) URL without query or fragment is refused", arguments: badIssuers)
    func badIssuerIsRefused(issuer: String) async throws {
        try await TemporaryDirectory.with { directory in
            let result = try await IntakeExecutable.run(["serve", "--port", "0", "--issuer", issuer], in: directory)
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.hasPrefix("Error: --issuer: the issuer"), "\(result)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "no database is created")
        }
    }

    @Test("An https issuer with a path is accepted and announced")
    func goodIssuerIsAccepted() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            try await ServeProcess.with(["--database", database, "--issuer", "https://auth.example.com/intake"], in: directory) { server in
                #expect(server.stdout.contains("(issuer https://auth.example.com/intake, signing HS256, database \(database))"), "\(server.stdout)")
            }
        }
    }

    @Test("SIGTERM and SIGINT stop the server gracefully with status 0 and no error", arguments: [SIGTERM, SIGINT])
    func signalStopsGracefully(signal: Int32) async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            try await ServeProcess.with(["--database", database], in: directory) { server in
                // Let the registry refresher sleep once, as it does in a real run.
                try await Task.sleep(for: .milliseconds(200))
                server.signal(signal)
                let result = await server.waitForExit()
                #expect(!result.crashed, "\(result)")
                #expect(result.status == 0, "\(result)")
                #expect(!result.stderr.contains("Error"), "\(result)")
                #expect(!result.stdout.contains("Error"), "\(result)")
                #expect(!result.stderr.contains("CancellationError"), "\(result)")
            }
        }
    }

    @Test("The first start creates and prints a first client; --no-bootstrap-client creates none and prints no secret")
    func bootstrapClient() async throws {
        try await TemporaryDirectory.with { directory in
            let quiet = directory.appendingPathComponent("quiet.sqlite").path
            try await ServeProcess.with(["--database", quiet, "--no-bootstrap-client"], in: directory) { server in
                #expect(!server.stdout.contains("client_secret"), "\(server.stdout)")
                #expect(!server.stdout.contains("first client"), "\(server.stdout)")
                #expect(server.firstClient == nil)
            }
            let list = try await IntakeExecutable.run(["clients", "list", "--database", quiet], in: directory)
            #expect(list.stdout == "No clients.\n", "\(list)")

            let bootstrapped = directory.appendingPathComponent("bootstrapped.sqlite").path
            try await ServeProcess.with(["--database", bootstrapped], in: directory) { server in
                #expect(server.stdout.contains("Created a first client"), "\(server.stdout)")
                #expect(server.firstClient != nil, "\(server.stdout)")
            }
        }
    }
}
