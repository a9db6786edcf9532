import Foundation
import IntakeTestSupport
import Testing

/// `intake clients rotate-secret --grace`, `clients create --token-ttl` and `intake audit`, as an
/// operator types them.
@Suite("intake audit and client lifecycle options")
struct AuditCommandTests {
    struct Entry: Decodable {
        var at: String
        var actor: String
        var action: String
        var subject: String
        var detail: String
    }

    @Test("rotate-secret --grace prints when the old secret ends, clients list shows it, and audit records every change by the CLI")
    func rotationWithGraceAndAudit() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let created = try await IntakeExecutable.run(
                ["clients", "create", "--name", "crm", "--token-ttl", "600", "--json", "--database", database], in: directory)
            #expect(created.status == 0, "\(created)")
            let client = try JSONDecoder().decode([String: String].self, from: Data(created.stdout.utf8))
            let id = try #require(client["client_id"])
            #expect(client["token_ttl"] == "600")

            let rotated = try await IntakeExecutable.run(
                ["clients", "rotate-secret", id, "--grace", "15m", "--json", "--database", database], in: directory)
            #expect(rotated.status == 0, "\(rotated)")
            let answer = try JSONDecoder().decode([String: String].self, from: Data(rotated.stdout.utf8))
            #expect(answer["client_secret"] != client["client_secret"])
            #expect(answer["previous_secret_valid_until"]?.hasSuffix("Z") == true, "\(answer)")

            let list = try await IntakeExecutable.run(["clients", "list", "--database", database], in: directory)
            #expect(list.stdout.contains("token_ttl=600s"), "\(list)")
            #expect(list.stdout.contains("old secret valid until"), "\(list)")

            #expect(try await IntakeExecutable.run(["clients", "disable", id, "--database", database], in: directory).status == 0)
            let audit = try await IntakeExecutable.run(["audit", "--json", "--database", database], in: directory)
            #expect(audit.status == 0, "\(audit)")
            let entries = try audit.stdoutLines.map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
            #expect(entries.map(\.action) == ["client.created", "client.secret_rotated", "client.disabled"])
            #expect(entries.allSatisfy { $0.actor == "cli" && $0.subject == id })
            #expect(entries[1].detail == "grace=900s")
            for secret in [client["client_secret"], answer["client_secret"]].compactMap({ $0 }) {
                #expect(!audit.stdout.contains(secret), "a secret reached the audit trail")
            }
            let recent = try await IntakeExecutable.run(["audit", "--since", "1h", "--database", database], in: directory)
            #expect(recent.stdoutLines.count == 3, "\(recent)")
            let future = try await IntakeExecutable.run(["audit", "--since", "2999-01-01T00:00:00Z", "--database", database], in: directory)
            #expect(future.stdout == "No audit entries.\n", "\(future)")
        }
    }

    @Test("Bad --grace, --token-ttl, --since and --trusted-proxy values are refused with a clear message")
    func badValuesAreRefused() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let cases: [([String], String)] = [
                (["clients", "rotate-secret", "x", "--grace", "soon"], "--grace"),
                (["clients", "rotate-secret", "x", "--grace", "40d"], "--grace must be at most 30d"),
                (["clients", "create", "--name", "n", "--token-ttl", "0"], "--token-ttl must be 1 to 86400 seconds"),
                (["audit", "--since", "yesterday"], "--since takes a duration"),
                (["serve", "--trusted-proxy", "10.0.0.0/99"], "--trusted-proxy 10.0.0.0/99 is not an address or CIDR block"),
            ]
            for (arguments, message) in cases {
                let result = try await IntakeExecutable.run(arguments + ["--database", database], in: directory)
                #expect(result.status != 0, "\(arguments): \(result)")
                #expect(result.stderr.contains(message), "\(arguments): \(result)")
            }
        }
    }
}
