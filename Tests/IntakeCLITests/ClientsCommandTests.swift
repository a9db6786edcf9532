import Foundation
import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeTestSupport
import Testing

/// `intake clients …` as an operator types it.
@Suite("intake clients")
struct ClientsCommandTests {
    func createJSON(_ arguments: [String], database: String, in directory: URL) async throws -> [String: String] {
        let result = try await IntakeExecutable.run(
            ["clients", "create", "--json", "--database", database] + arguments, in: directory)
        try #require(result.status == 0, "\(result)")
        return try JSONDecoder().decode([String: String].self, from: Data(result.stdout.utf8))
    }

    @Test("clients disable -- ID disables the client, even one whose id starts with -")
    func disableAfterDoubleDash() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let created = try await createJSON(["--name", "crm"], database: database, in: directory)
            let id = try #require(created["client_id"])
            let disabled = try await IntakeExecutable.run(["clients", "disable", "--database", database, "--", id], in: directory)
            #expect(disabled.status == 0, "\(disabled)")
            #expect(disabled.stdout == "Disabled \(id).\n")

            // An id from an older version may start with -: after --, it is the argument, not an option.
            let dashed = "-AAAAAAAAAAAAAAAAAAAAA"
            do {
                let store = try SQLiteStore(path: database)
                try await store.insertClient(ClientRecord(id: dashed, name: "old", secretHash: SecretHash(of: "secret")))
            }
            let result = try await IntakeExecutable.run(["clients", "disable", "--database", database, "--", dashed], in: directory)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "Disabled \(dashed).\n")
            let list = try await IntakeExecutable.run(["clients", "list", "--database", database], in: directory)
            #expect(list.stdoutLines.contains { $0.hasPrefix("\(dashed)  disabled") }, "\(list)")

            let unknown = try await IntakeExecutable.run(["clients", "enable", "--database", database, "--", "-nobody"], in: directory)
            #expect(unknown.status == 1, "\(unknown)")
            #expect(unknown.stderr == "Error: no client has the id -nobody\n", "\(unknown)")
        }
    }

    static let unsafeLabels = [
        "bell\u{07}", "clear\u{1B}[2J", "del\u{7F}", "nel\u{85}", "csi\u{9B}31m", "evil\u{202E}gpj.exe",
        "zero\u{200B}width", "line\nbreak", "tab\there", "bom\u{FEFF}", "sep\u{2028}",
    ]

    @Test("--name and --account with control or format characters are refused with the character named", arguments: unsafeLabels)
    func unsafeLabelsAreRefused(label: String) async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            for (option, arguments) in [("--name", ["--name", label]), ("--account", ["--name", "ok", "--account", label])] {
                let result = try await IntakeExecutable.run(["clients", "create", "--database", database] + arguments, in: directory)
                #expect(result.status != 0, "\(option) \(label.debugDescription): \(result)")
                #expect(result.stderr.contains("\(option) must not contain control or format characters (found U+"), "\(result)")
                #expect(!result.stdout.contains("client_secret"))
            }
            let list = try await IntakeExecutable.run(["clients", "list", "--database", database], in: directory)
            #expect(list.stdout == "No clients.\n", "\(list)")
        }
    }

    @Test("Custom RFC 6749 scopes are accepted; control characters and forbidden characters in --scope are refused")
    func scopes() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let created = try await createJSON(
                ["--name", "billing", "--scope", "events:write billing:read https://api.example.com/x"], database: database,
                in: directory)
            #expect(created["scope"] == "events:write billing:read https://api.example.com/x")
            for scope in ["events:write\u{07}", "events:write\u{1B}[2J", "a\u{202E}b", #"a"b"#, #"a\b"#, "é", "   "] {
                let result = try await IntakeExecutable.run(
                    ["clients", "create", "--database", database, "--name", "x", "--scope", scope], in: directory)
                #expect(result.status != 0, "\(scope.debugDescription): \(result)")
                #expect(result.stderr.contains("--scope"), "\(result)")
                #expect(TerminalCheck.firstUnsafe(in: result.stderr) == nil, "the error echoes raw control characters: \(result)")
            }
            let help = try await IntakeExecutable.run(["clients", "create", "--help"], in: directory)
            #expect(help.stdout.contains("Other scopes"), "\(help)")
        }
    }

    @Test("clients list escapes control and format characters found in stored rows, in text and JSON")
    func listEscapesStoredControlCharacters() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let name = "evil\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}exe.\u{9B}"
            let account = "acme\u{0D}"
            do {
                // As an older version (or another writer) could have stored them.
                let store = try SQLiteStore(path: database)
                _ = try await store.registerClient(name: name, account: account)
            }
            let text = try await IntakeExecutable.run(["clients", "list", "--database", database], in: directory)
            #expect(text.status == 0, "\(text)")
            #expect(TerminalCheck.firstUnsafe(in: text.stdout) == nil, "\(text.stdout.debugDescription)")
            #expect(text.stdout.contains(#"name=evil\u{1B}]0;pwned\u{7}\u{1B}[2J\u{202E}exe.\u{9B}"#), "\(text.stdout)")
            #expect(text.stdout.contains(#"account=acme\u{D}"#), "\(text.stdout)")

            let json = try await IntakeExecutable.run(["clients", "list", "--json", "--database", database], in: directory)
            #expect(json.status == 0, "\(json)")
            #expect(TerminalCheck.firstUnsafe(in: json.stdout) == nil, "\(json.stdout.debugDescription)")
            let row = try JSONDecoder().decode([String: String].self, from: Data(json.stdout.utf8))
            #expect(row["name"] == name)
            #expect(row["account"] == account)
        }
    }
}

/// What a terminal would act on: control and format characters (Cc, Cf, Zl, Zp), other than the
/// line feeds that end lines.
enum TerminalCheck {
    static func firstUnsafe(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            guard scalar != "\n" else { return false }
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }
}
