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
    /// For `localhost-key.pem`, and valid on 1 January 2020 only.
    static let expiredCertificate = fixtures.appendingPathComponent("expired-cert.pem").path
    static let badRequestProblem =
        #"{"type":"urn:intake:problem:bad-request","title":"Bad Request","status":400,"detail":"This port speaks HTTPS; use https://"}"#

    @Test("--tls-cert/--tls-key serve HTTPS that a client trusting the certificate accepts, over HTTP/1.1; plain HTTP is answered 400")
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
                // One hand still typing http://, one posting a form whose rest the server never reads.
                for extra in [[], ["-d", "grant_type=client_credentials"]] {
                    let plain = try await Curl.run(["-i"] + extra + ["http://127.0.0.1:\(server.port)/oauth2/token"])
                    #expect(plain.status == 0, "\(plain)")
                    #expect(plain.stdout.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(plain)")
                    #expect(plain.stdout.contains("\r\nContent-Type: application/problem+json\r\n"), "\(plain)")
                    #expect(plain.stdout.contains("\r\nConnection: close\r\n"), "\(plain)")
                    #expect(plain.stdout.hasSuffix("\r\n\r\n" + Self.badRequestProblem), "\(plain)")
                }
                let insecure = try await Curl.run(["--insecure", "-w", "\n%{http_code}", "https://127.0.0.1:\(server.port)/health"])
                #expect(insecure.stdoutLines == [#"{"status":"ok"}"#, "200"], "\(insecure)")
            }
        }
    }

    @Test(
        "Over TLS 1.2 only ECDHE with AES-GCM or ChaCha20-Poly1305 is agreed: static-RSA and CBC suites are refused, for RSA and ECDSA certificates"
    )
    func tls12CipherSuites() async throws {
        try await TemporaryDirectory.with { directory in
            let rsaCertificate = directory.appendingPathComponent("rsa-cert.pem").path
            let rsaKey = directory.appendingPathComponent("rsa-key.pem").path
            let made = try await Self.openssl(
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", rsaKey, "-out",
                    rsaCertificate,
                ], in: directory)
            try #require(made.status == 0, "\(made)")
            let servers: [(certificate: String, key: String, accepted: [String], refused: [String])] = [
                (
                    Self.certificate, Self.key,
                    ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"],
                    ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA"]
                ),
                (
                    rsaCertificate, rsaKey, ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"],
                    ["AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA"]
                ),
            ]
            for (index, server) in servers.enumerated() {
                let database = directory.appendingPathComponent("intake-\(index).sqlite").path
                try await ServeProcess.with(["--database", database, "--tls-cert", server.certificate, "--tls-key", server.key], in: directory) {
                    process in
                    let connect = ["s_client", "-connect", "127.0.0.1:\(process.port)"]
                    for suite in server.accepted {
                        let handshake = try await Self.openssl(connect + ["-tls1_2", "-cipher", suite], in: directory)
                        #expect(handshake.status == 0 && handshake.stdout.contains("Cipher is \(suite)"), "\(suite): \(handshake)")
                    }
                    for suite in server.refused {
                        let handshake = try await Self.openssl(connect + ["-tls1_2", "-cipher", suite], in: directory)
                        #expect(handshake.status != 0 && handshake.stdout.contains("Cipher is (NONE)"), "\(suite) was agreed: \(handshake)")
                    }
                    let tls13 = try await Self.openssl(connect + ["-tls1_3"], in: directory)
                    #expect(tls13.status == 0 && tls13.stdout.contains("TLSv1.3"), "\(tls13)")
                }
            }
        }
    }

    @Test("An expired certificate and a key file others can read are warned about at start, naming the file; the server starts anyway")
    func tlsFileWarnings() async throws {
        try await TemporaryDirectory.with { directory in
            let database = directory.appendingPathComponent("intake.sqlite").path
            let key = directory.appendingPathComponent("key.pem").path
            try FileManager.default.copyItem(atPath: Self.key, toPath: key)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
            try await ServeProcess.with(["--database", database, "--tls-cert", Self.expiredCertificate, "--tls-key", key], in: directory) {
                server in
                let warnings = server.stderr.split(separator: "\n").filter { $0.contains("--tls-") }
                #expect(warnings.count == 2, "\(server.stderr)")
                #expect(
                    warnings.contains { $0.contains("warning") && $0.contains("--tls-cert \(Self.expiredCertificate): the certificate expired on 2020-01-02T00:00:00Z") },
                    "\(server.stderr)")
                #expect(
                    warnings.contains {
                        $0.contains("warning") && $0.contains("--tls-key \(key) is readable or writable by group or others (mode 0644)")
                            && $0.hasSuffix("fix with: chmod 600 \(key)")
                    }, "\(server.stderr)")
                let health = try await Curl.run(["--insecure", "https://127.0.0.1:\(server.port)/health"])
                #expect(health.stdout == #"{"status":"ok"}"#, "\(health)")
                let checking = try await Curl.run(["--cacert", Self.expiredCertificate, "https://localhost:\(server.port)/health"])
                #expect(checking.status != 0, "a client that checks dates must refuse the expired certificate: \(checking)")
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
            try await ServeProcess.with(["--database", database, "--tls-cert", Self.certificate, "--tls-key", key], in: directory) { server in
                #expect(!server.stderr.contains("--tls-"), "\(server.stderr)")
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
                // stdout too: the banners are JSON lines, and the issuer names the port chosen for --port 0.
                let banners = try server.stdout.split(separator: "\n").map { line in
                    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
                }
                let listening = try #require(banners.first { ($0["message"] as? String)?.hasPrefix("Intake listening on ") == true })
                #expect(listening["issuer"] as? String == "http://127.0.0.1:\(server.port)", "\(listening)")
                #expect(banners.contains { $0["client_id"] is String && $0["client_secret"] is String }, "\(banners)")
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

    @Test("An INTAKE_ADMIN_TOKEN shorter than 32 characters stops the start, naming the fix")
    func shortAdminTokenIsRefused() async throws {
        try await TemporaryDirectory.with { directory in
            let result = try await IntakeExecutable.run(
                ["serve", "--port", "0", "--admin-port", "0", "--database", directory.appendingPathComponent("i.sqlite").path],
                in: directory, environment: ["INTAKE_ADMIN_TOKEN": "short-but-not-32-characters"])
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("INTAKE_ADMIN_TOKEN is shorter than 32 characters"), "\(result)")
            #expect(!result.stderr.contains("short-but-not-32-characters"), "the token reached the output")
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

    /// `openssl arguments` in `directory`, bounded in time; stdin is empty, so `s_client` ends
    /// right after its handshake.
    static func openssl(_ arguments: [String], in directory: URL) async throws -> CommandResult {
        try await TemporaryOutput.with { output in
            let process = try ChildProcess(
                executable: "openssl", arguments: arguments, directory: directory.path, environment: ProcessInfo.processInfo.environment,
                stdoutPath: output.stdoutURL.path, stderrPath: output.stderrURL.path)
            if !(await IntakeExecutable.waitForExit(process, timeout: .seconds(20))) { process.forceKill() }
            return CommandResult(
                status: process.terminationStatus, crashed: process.wasSignalled, stdout: output.stdoutText(), stderr: output.stderrText())
        }
    }
}
