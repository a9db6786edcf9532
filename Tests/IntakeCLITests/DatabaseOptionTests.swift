import Foundation
import IntakeTestSupport
import Testing

/// `--database`: what it accepts, what it refuses, and the files it leaves.
@Suite("intake --database")
struct DatabaseOptionTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("A new database is created owner-only (0700 directory, 0600 files) even under umask 000")
    func newDatabaseIsOwnerOnlyWhateverTheUmask() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent(".intake/intake.sqlite").path
            try await ServeProcess.with(["--database", path], in: directory, umask: "000") { _ in
                #expect(try mode(directory.appendingPathComponent(".intake").path) == 0o700)
                for file in [path, path + "-wal", path + "-shm"] {
                    #expect(FileManager.default.fileExists(atPath: file), "\(file) missing")
                    let fileMode = try mode(file)
                    #expect(fileMode == 0o600, "\(file): \(String(fileMode, radix: 8))")
                }
            }
        }
    }

    @Test("An existing database file others can read is reported on stderr with the chmod that fixes it")
    func looseDatabaseFileIsWarnedAbout() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.appendingPathComponent("intake.sqlite").path
            let first = try await IntakeExecutable.run(["clients", "list", "--database", path], in: directory)
            #expect(first.status == 0, "\(first)")
            #expect(!first.stderr.contains("chmod"), "\(first)")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)

            let result = try await IntakeExecutable.run(["clients", "list", "--database", path], in: directory)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "No clients.\n", "the warning must not go to stdout: \(result)")
            let warnings = result.stderrLines.filter { $0.contains("chmod") }
            #expect(warnings.count == 1, "\(result)")
            #expect(warnings.first?.contains("\(path) is readable or writable by group or others (mode 0644)") == true, "\(result)")
            #expect(warnings.first?.hasSuffix("fix with: chmod 600 \(path)") == true, "\(result)")
        }
    }

    static let otherURLs = [
        "mysql://admin:s3cretpw@db.example.com/intake", "sqlite:///var/lib/intake.sqlite", "http://u:s3cretpw@h/x",
        "file:///tmp/intake.sqlite", "file:intake.sqlite", "FILE:intake.sqlite", "redis://:s3cretpw@127.0.0.1:6379",
    ]

    @Test("A URL that is not postgres:// is refused in one line, without its password and without creating files", arguments: otherURLs)
    func otherURLsAreRefused(url: String) async throws {
        try await TemporaryDirectory.with { directory in
            for (arguments, environment) in [
                (["clients", "list", "--database", url], [:]), (["clients", "list"], ["INTAKE_DATABASE_URL": url]),
                (["serve", "--port", "0", "--database", url], [:]),
            ] {
                let result = try await IntakeExecutable.run(arguments, in: directory, environment: environment)
                #expect(result.status == 1, "\(result)")
                #expect(!result.crashed)
                #expect(result.stderrLines.count == 1, "\(result)")
                #expect(result.stderr.hasPrefix("Error: --database: "), "\(result)")
                #expect(result.stderr.contains("not supported"), "\(result)")
                #expect(!(result.stdout + result.stderr).contains("s3cretpw"), "\(result)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "\(url) created files")
            }
        }
    }

    @Test("A PostgreSQL URL that cannot be used is refused without printing its password")
    func badPostgresURLHidesItsPassword() async throws {
        try await TemporaryDirectory.with { directory in
            for url in ["postgres://intake:s3cretpw@/intake", "postgres://intake:s3cr%20etpw@host/x?sslmode=sometimes",
                        "postgres://intake:s3cret pw#@127.0.0.1/x"] {
                let result = try await IntakeExecutable.run(["clients", "list", "--database", url], in: directory)
                #expect(result.status == 1, "\(result)")
                #expect(result.stderr.hasPrefix("Error: --database: "), "\(result)")
                #expect(!(result.stdout + result.stderr).contains("s3cr"), "\(result)")
            }
        }
    }

    @Test(
        "PostgreSQL that acknowledges commits before they are on disk stops the start, unless allowed (then a warning)",
        .enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.skipMessage)))
    func nonDurablePostgresIsRefused() async throws {
        try await PostgresTestDatabase.withFreshDatabase { name in
            // fsync is the whole cluster's; synchronous_commit can be set for one database.
            try await PostgresTestDatabase.administer("ALTER DATABASE \(name) SET synchronous_commit = off")
            let url = try PostgresTestDatabase.url(database: name)
            try await TemporaryDirectory.with { directory in
                let refused = try await IntakeExecutable.run(["serve", "--port", "0", "--database", url], in: directory)
                #expect(refused.status == 1, "\(refused)")
                #expect(refused.stderrLines.count == 1, "\(refused)")
                #expect(refused.stderr.contains("PostgreSQL runs with synchronous_commit=off"), "\(refused)")
                #expect(refused.stderr.contains("--allow-non-durable-postgres"), "\(refused)")
                try await ServeProcess.with(["--database", url, "--allow-non-durable-postgres"], in: directory) { server in
                    let warned = try await eventually { server.stderr.contains("synchronous_commit=off: a crash will lose") }
                    #expect(warned, "\(server.stderr)")
                }
            }
        }
    }

    @Test(
        "The serve banner shows a PostgreSQL URL with its password masked",
        .enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.skipMessage)))
    func bannerMasksThePostgresPassword() async throws {
        try await PostgresTestDatabase.withFreshDatabase { name in
            // The test server trusts local connections, so any password is accepted.
            let plain = try PostgresTestDatabase.url(database: name)
            let url = plain.replacingOccurrences(of: "://postgres@", with: "://postgres:s3cretpw@")
            try #require(url != plain, "unexpected test URL shape: \(plain)")
            try await TemporaryDirectory.with { directory in
                try await ServeProcess.with(["--database", url, "--no-bootstrap-client"], in: directory) { server in
                    #expect(server.stdout.contains("postgres://postgres:***@"), "\(server.stdout)")
                    #expect(!(server.stdout + server.stderr).contains("s3cretpw"), "\(server.stdout)")
                }
            }
        }
    }
}
