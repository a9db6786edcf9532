import Foundation
import IntakeTestSupport
import Testing

/// `intake keys …` as an operator types it, against a database and a running server.
@Suite("intake keys")
struct KeysCommandTests {
    struct Key: Decodable {
        var kid: String
        var alg: String
        var status: String
        var created_at: String
        var retires_at: String?
    }

    static func list(_ database: String, in directory: URL, environment: [String: String] = [:]) async throws -> [Key] {
        let result = try await IntakeExecutable.run(["keys", "list", "--json", "--database", database], in: directory, environment: environment)
        try #require(result.status == 0, "\(result)")
        return try JSONDecoder().decode([Key].self, from: Data(result.stdout.utf8))
    }

    static func rotate(_ arguments: [String], _ database: String, in directory: URL, environment: [String: String] = [:]) async throws -> CommandResult {
        try await IntakeExecutable.run(["keys", "rotate", "--json", "--database", database] + arguments, in: directory, environment: environment)
    }

    static func encryptionKey(_ byte: UInt8) -> String { TokenForge.base64URL([UInt8](repeating: byte, count: 32)) }

    @Test("keys rotate makes a new active key, keys list shows the old one retiring with its end")
    func rotateAndList() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            #expect(try await Self.list(database, in: directory).isEmpty)
            let first = try await Self.rotate(["--alg", "ES256"], database, in: directory)
            #expect(first.status == 0, "\(first)")
            let made = try JSONDecoder().decode(Key.self, from: Data(first.stdout.utf8))
            #expect(made.alg == "ES256")
            #expect(made.status == "active")
            let second = try await Self.rotate([], database, in: directory)
            let next = try JSONDecoder().decode(Key.self, from: Data(second.stdout.utf8))
            #expect(next.alg == "ES256", "without --alg, the current key's algorithm")
            let keys = try await Self.list(database, in: directory)
            #expect(keys.map(\.kid) == [next.kid, made.kid])
            #expect(keys.map(\.status) == ["active", "retiring"])
            #expect(keys[1].retires_at != nil)
            #expect(keys[0].created_at.hasSuffix("Z"))

            let text = try await IntakeExecutable.run(["keys", "list", "--database", database], in: directory)
            #expect(text.stdoutLines.count == 2, "\(text)")
            #expect(text.stdoutLines[1].contains("retiring"), "\(text)")
            #expect(text.stdoutLines[1].contains("verifies until"), "\(text)")
        }
    }

    @Test("keys rotate --alg takes only the four algorithm names", arguments: ["none", "HS512", "es256", ""])
    func unknownAlgorithmIsRefused(alg: String) async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let result = try await Self.rotate(["--alg", alg], database, in: directory)
            #expect(result.status != 0, "\(result)")
            #expect(result.stderr.contains("--alg must be one of HS256, RS256, ES256, EdDSA"), "\(result)")
        }
    }

    @Test("With INTAKE_KEY_ENCRYPTION_KEY the keys are sealed; without it, or with another, rotation is refused and says why")
    func encryptedKeySet() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let sealed = ["INTAKE_KEY_ENCRYPTION_KEY": Self.encryptionKey(0x42)]
            #expect(try await Self.rotate(["--alg", "EdDSA"], database, in: directory, environment: sealed).status == 0)
            let missing = try await Self.rotate([], database, in: directory)
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stderr.contains("encrypted; set INTAKE_KEY_ENCRYPTION_KEY"), "\(missing)")
            let wrong = try await Self.rotate([], database, in: directory, environment: ["INTAKE_KEY_ENCRYPTION_KEY": Self.encryptionKey(0x43)])
            #expect(wrong.status == 1, "\(wrong)")
            #expect(wrong.stderr.contains("does not open the signing keys"), "\(wrong)")
            let malformed = try await Self.rotate([], database, in: directory, environment: ["INTAKE_KEY_ENCRYPTION_KEY": "short"])
            #expect(malformed.stderr.contains("must be 32 random bytes"), "\(malformed)")
            #expect(try await Self.list(database, in: directory).count == 1)
            // The server refuses to start without it, in one line.
            let serve = try await IntakeExecutable.run(["serve", "--port", "0", "--database", database], in: directory)
            #expect(serve.status == 1, "\(serve)")
            #expect(serve.stderr.contains("cannot use the signing keys"), "\(serve)")
        }
    }

    @Test("serve --signing-alg picks the first key; a rotation from the CLI signs on the running server within 5 s")
    func rotationReachesARunningServer() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            try await ServeProcess.with(["--database", database, "--signing-alg", "EdDSA"], in: directory) { server in
                #expect(server.stdout.contains("signing EdDSA"), "\(server.stdout)")
                let client = try #require(server.firstClient, "\(server.stdout)")
                func tokenKID() async throws -> String? {
                    let result = try await IntakeExecutable.run(
                        ["token", "--url", server.baseURL, "--client-id", client.id], in: directory,
                        environment: ["INTAKE_CLIENT_SECRET": client.secret])
                    guard result.status == 0 else { return nil }
                    return try TokenForge.json(part: 0, of: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["kid"] as? String
                }
                let before = try await tokenKID()
                #expect(before == (try await Self.list(database, in: directory)).first?.kid)
                let rotated = try await Self.rotate(["--alg", "RS256"], database, in: directory)
                let kid = try JSONDecoder().decode(Key.self, from: Data(rotated.stdout.utf8)).kid
                // The 5 s bound is checked in-process (KeySetTests); here each probe spawns a process.
                #expect(try await eventually(within: .seconds(10)) { try await tokenKID() == kid }, "the server did not sign with \(kid)")
            }
        }
    }

    @Test("serve --rotate-keys-every is checked: at least an hour, and not with INTAKE_SIGNING_KEY")
    func rotationScheduleIsChecked() async throws {
        try await TemporaryDirectory.with { directory in
            let short = try await IntakeExecutable.run(["serve", "--rotate-keys-every", "10m"], in: directory)
            #expect(short.status != 0)
            #expect(short.stderr.contains("--rotate-keys-every must be at least 3600 seconds"), "\(short)")
            let fixed = try await IntakeExecutable.run(
                ["serve", "--rotate-keys-every", "30d"], in: directory,
                environment: ["INTAKE_SIGNING_KEY": TokenForge.base64URL([UInt8](repeating: 9, count: 32))])
            #expect(fixed.stderr.contains("unset INTAKE_SIGNING_KEY"), "\(fixed)")
            let garbage = try await IntakeExecutable.run(["serve", "--rotate-keys-every", "soon"], in: directory)
            #expect(garbage.status != 0, "\(garbage)")
        }
    }
}
