import Foundation
import GRDB
import IntakeCore
import IntakeModel
import IntakeSQLite
import IntakeTestSupport
import Testing

/// `intake serve` as operators run it in production: over TLS, with JSON logs, with the
/// operators' listener and the admin token, with event retention.
@Suite("intake serve: operations")
struct ServeOperationsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let certificate = fixtures.appendingPathComponent("localhost-cert.pem").path
    static let key = fixtures.appendingPathComponent("localhost-key.pem").path
    static let otherKey = fixtures.appendingPathComponent("other-key.pem").path

    @Test("--tls-cert/--tls-key serve HTTPS that a client trusting the certificate accepts, over HTTP/1.1; plain HTTP is refused")
    func servesTLS() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            try await ServeProcess.with(["--database", database, "--tls-cert", Self.certificate, "--tls-key", Self.key], in: directory) {
                server in
                #expect(server.scheme == "https", "\(server.stdout)")
                let url = "https://localhost:\(server.port)"
                let health = try await Curl.run(["--cacert", Self.certificate, "--http2", "-w", "\n%{http_version}", url + "/health"])
                #expect(health.status == 0, "\(health)")
                #expect(health.stdoutLines == [#"{"status":"ok"}"#, "1.1"], "\(health)")
                let client = try #require(server.firstClient)
                let token = try await Curl.run([
                    "--cacert", Self.certificate, "-u", "\(client.id):\(client.secret)", "-d", "grant_type=client_credentials",
                    url + "/oauth2/token",
                ])
                #expect(token.stdout.contains(#""token_type": "Bearer""#), "\(token)")
                let untrusted = try await Curl.run([url + "/health"])
                #expect(untrusted.status != 0, "a client that does not trust the certificate must refuse it")
                let plain = try await Curl.run(["http://127.0.0.1:\(server.port)/health"])
                #expect(!plain.stdout.contains("ok"), "\(plain)")
            }
        }
    }

    @Test("A missing, unreadable or mismatched certificate or key stops the start with one line naming the file")
    func badTLSFiles() async throws {
        try await TemporaryDirectory.with { directory in
            let unreadable = directory.appendingPathComponent("unreadable.pem")
            try Data("x".utf8).write(to: unreadable)
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: unreadable.path)
            let cases: [([String], String)] = [
                (["--tls-cert", "/no/such/cert.pem", "--tls-key", Self.key], "--tls-cert /no/such/cert.pem: no such file"),
                (["--tls-cert", Self.certificate, "--tls-key", "/no/such/key.pem"], "--tls-key /no/such/key.pem: no such file"),
                (["--tls-cert", Self.key, "--tls-key", Self.key], "holds no PEM certificate"),
                (["--tls-cert", Self.certificate, "--tls-key", Self.certificate], "holds no unencrypted PEM private key"),
                (["--tls-cert", Self.certificate, "--tls-key", Self.otherKey], "does not belong to the certificate"),
            ] + (getuid() == 0 ? [] : [(["--tls-cert", unreadable.path, "--tls-key", Self.key], "cannot be read")])
            for (arguments, message) in cases {
                let result = try await IntakeExecutable.run(
                    ["serve", "--port", "0", "--database", directory.appendingPathComponent("i.sqlite").path] + arguments, in: directory)
                #expect(result.status == 1, "\(arguments): \(result)")
                #expect(result.stderrLines.count == 1, "\(result)")
                #expect(result.stderr.hasPrefix("Error: ") && result.stderr.contains(message), "\(result)")
            }
            let half = try await IntakeExecutable.run(["serve", "--port", "0", "--tls-cert", Self.certificate], in: directory)
            #expect(half.status == 64)
            #expect(half.stderr.contains("--tls-cert and --tls-key go together"), "\(half)")
        }
    }

    @Test("--log-format json writes every log line as one JSON object; request lines carry the request id and numbers")
    func jsonLogs() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            try await ServeProcess.with(["--database", database, "--log-format", "json"], in: directory) { server in
                let answer = try await Curl.run(["-i", "-H", "X-Request-Id: probe-7", server.baseURL + "/health"])
                #expect(answer.stdout.lowercased().contains("x-request-id: probe-7"), "\(answer)")
                let logged = try await eventually { server.stderr.contains("probe-7") }
                #expect(logged, "\(server.stderr)")
                var requestLines: [[String: Any]] = []
                for line in server.stderr.split(separator: "\n") {
                    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    let entry = try #require(object, "not a JSON object: \(line)")
                    #expect(entry["timestamp"] is String && entry["level"] is String && entry["message"] is String)
                    if entry["message"] as? String == "request" { requestLines.append(entry) }
                }
                let probe = try #require(requestLines.first { $0["request_id"] as? String == "probe-7" })
                #expect(probe["status"] as? Int == 200)
                #expect(probe["route"] as? String == "/health")
                #expect(probe["method"] as? String == "GET")
                #expect(probe["duration_ms"] is Double)
            }
        }
    }

    @Test("--admin-port opens the operators' listener: /metrics, and with INTAKE_ADMIN_TOKEN the admin API, whose clients the CLI sees")
    func adminListener() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let token = "cli-test-admin-token-0123456789abcdefgh"
            try await ServeProcess.with(
                ["--database", database, "--admin-port", "0"], in: directory, environment: ["INTAKE_ADMIN_TOKEN": token]
            ) { server in
                let admin = try #require(server.adminURL, "\(server.stdout)")
                #expect(server.stdout.contains("(GET /metrics; admin API on)"), "\(server.stdout)")
                let metrics = try await Curl.run([admin + "/metrics"])
                #expect(metrics.stdout.contains("# TYPE intake_token_requests_total counter"), "\(metrics)")
                let created = try await Curl.run([
                    "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json", "-d", #"{"name":"from-the-api"}"#,
                    admin + "/admin/clients",
                ])
                #expect(created.stdout.contains("client_secret"), "\(created)")
                let listed = try await IntakeExecutable.run(["clients", "list", "--database", database], in: directory)
                #expect(listed.stdout.contains("name=from-the-api"), "\(listed)")
                #expect(!server.stderr.contains(token), "the admin token reached the log")
                #expect(try await Curl.run([server.baseURL + "/metrics"]).stdout.contains("Not Found"))
            }
        }
    }

    @Test("--event-retention deletes the events older than it at start, and keeps the rest")
    func eventRetention() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            do {
                let store = try SQLiteStore(path: database)
                for name in ["old-1", "old-2", "new-1"] {
                    _ = try await store.store(Fixtures.submission(events: [Fixtures.event(name: name)]))
                }
            }
            let queue = try DatabaseQueue(path: database)
            try await queue.write { db in
                try db.execute(sql: "UPDATE events SET received_at = received_at - 7200000 WHERE event_name LIKE 'old-%'")
            }
            try await ServeProcess.with(["--database", database, "--event-retention", "1h"], in: directory) { _ in
                let deleted = try await eventually {
                    try await queue.read { db in try String.fetchAll(db, sql: "SELECT event_name FROM events") } == ["new-1"]
                }
                #expect(deleted)
            }
        }
    }
}
