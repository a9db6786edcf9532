import Foundation
import IntakeTestSupport
import Testing

/// `intake serve` configured from `INTAKE_*` variables, as a container or a systemd unit does it.
@Suite("intake serve from the environment")
struct EnvironmentOptionsTests {
    @Test("Every option has its INTAKE_* variable; the command line wins; --version prints the version")
    func optionsFromTheEnvironment() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let environment = [
                "INTAKE_ISSUER": "https://from-env.example.com", "INTAKE_TOKEN_TTL": "600", "INTAKE_BOOTSTRAP_CLIENT": "false",
                "INTAKE_TRUSTED_PROXY": "10.0.0.0/8, 192.168.0.0/16", "INTAKE_LOG_FORMAT": "json",
                // Empty, as a compose file writes "not given": unset, not an empty --max-body-size.
                "INTAKE_MAX_BODY_SIZE": "",
            ]
            try await ServeProcess.with(["--database", database, "--token-ttl", "900"], in: directory, environment: environment) { server in
                #expect(server.stdout.contains("https://from-env.example.com"), "\(server.stdout)")
                #expect(server.firstClient == nil && !server.stdout.contains("client_secret"), "INTAKE_BOOTSTRAP_CLIENT=false was not taken")
                #expect(server.stdout.hasPrefix("{"), "INTAKE_LOG_FORMAT=json was not taken: \(server.stdout)")
                let created = try await IntakeExecutable.run(["clients", "create", "--name", "n", "--json", "--database", database], in: directory)
                let client = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: String], "\(created)")
                let answer = try await Curl.run([
                    "-u", "\(client["client_id"] ?? ""):\(client["client_secret"] ?? "")", "-d", "grant_type=client_credentials",
                    server.baseURL + "/oauth2/token",
                ])
                #expect(answer.stdout.contains(#""expires_in": 900"#), "the command line's --token-ttl should win: \(answer.stdout)")
            }
            let refused = try await IntakeExecutable.run(
                ["serve", "--database", database], in: directory, environment: ["INTAKE_MAX_CONNECTIONS": "none"])
            #expect(refused.status == 64 && refused.stderr.contains("--max-connections"), "\(refused)")
            let flag = try await IntakeExecutable.run(
                ["serve", "--database", database], in: directory, environment: ["INTAKE_BOOTSTRAP_CLIENT": "perhaps"])
            #expect(flag.status == 64 && flag.stderr.contains("INTAKE_BOOTSTRAP_CLIENT must be true or false"), "\(flag)")
            let help = try await IntakeExecutable.run(["serve", "--help"], in: directory)
            for variable in ["INTAKE_PORT", "INTAKE_TOKEN_TTL", "INTAKE_TRUSTED_PROXY", "INTAKE_EVENT_RETENTION"] {
                #expect(help.stdout.contains(variable), "\(variable) is not named in serve --help")
            }
            let version = try await IntakeExecutable.run(["--version"], in: directory)
            #expect(version.status == 0 && version.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(version)")
        }
    }
}
