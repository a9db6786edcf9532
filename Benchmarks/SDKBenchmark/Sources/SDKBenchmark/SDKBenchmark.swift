import AsyncHTTPClient
import Foundation
import IntakeCore
import IntakeKit
import IntakeModel
import IntakeSQLite
import IntakeServer
import Logging
import NIOCore
import Synchronization

/// Two figures for the SDK (issue 4, item 6):
///
/// 1. the cached-token path, `try await tokens.token()`, in ns per call (target < 1 µs);
/// 2. events/s through `IntakeClient.send` with N concurrent tasks for a fixed time, against a server
///    given by `--url`/`--client-id`/`--client-secret`, or one started in this process.
///
/// ```
/// sdk-benchmark                                   # in-process server, 64 tasks, 10 s
/// sdk-benchmark --url http://127.0.0.1:18080 --client-id ID --client-secret SECRET --json
/// ```
@main
struct SDKBenchmark {
    static func main() async throws {
        let options: Options
        do {
            options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
        } catch {
            if error.message.isEmpty {
                print(Options.usage)
                exit(0)
            }
            FileHandle.standardError.write(Data("sdk-benchmark: \(error.message)\n\n\(Options.usage)\n".utf8))
            exit(2)
        }
        // The measurement runs off the main actor so that no call pays an executor hop.
        try await Task.detached { try await run(options) }.value
    }

    static func run(_ options: Options) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: options.connections)
        // No tracer is bootstrapped here; left on, AsyncHTTPClient still builds span attributes for
        // the no-op tracer on every request (~6% of this process's CPU under load).
        configuration.tracing.tracer = nil
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var server: InProcessServer?
        do {
            let target: (url: String, credentials: IntakeCredentials)
            if let url = options.url, let id = options.clientID, let secret = options.clientSecret {
                target = (url, IntakeCredentials(clientID: id, clientSecret: secret))
            } else {
                let started = try await InProcessServer.start()
                server = started
                target = (started.url, started.credentials)
                log("started an in-process server at \(started.url) (SQLite in \(started.directory.path))")
            }
            let environment = IntakeEnvironment.custom(baseURL: target.url)
            let tokens = TokenProvider(environment: environment, credentials: target.credentials, httpClient: httpClient)
            let client = IntakeClient(tokens: tokens, httpClient: httpClient)

            var report: [String: Double] = [:]
            if options.tokenCalls > 0 {
                let nanoseconds = try await measureTokenPath(tokens, calls: options.tokenCalls)
                report["token_ns_per_call"] = nanoseconds
                log(String(format: "cached token path: %.1f ns/call over %d calls (target < 1000)", nanoseconds, options.tokenCalls))
            }
            if options.duration > 0 {
                let result = try await measureSends(client, concurrency: options.concurrency, duration: .seconds(options.duration))
                report["events_per_second"] = result.rate
                report["sent"] = Double(result.sent)
                report["failed"] = Double(result.failed)
                report["seconds"] = result.seconds
                report["concurrency"] = Double(options.concurrency)
                report["connections"] = Double(options.connections)
                report["tokens_fetched"] = Double(tokens.tokensFetched)
                report["retries"] = Double(client.retries)
                log(String(
                    format: "IntakeClient.send: %.0f events/s (%d sent, %d failed in %.1f s, %d tasks, %d connections, %d tokens, %d retries)",
                    result.rate, result.sent, result.failed, result.seconds, options.concurrency, options.connections,
                    tokens.tokensFetched, client.retries))
            }
            if options.batchSize > 0 && options.duration > 0 {
                let result = try await measureBatchSends(
                    client, batchSize: options.batchSize, concurrency: options.concurrency,
                    duration: .seconds(options.duration))
                report["batch_events_per_second"] = result.rate
                report["batch_failed"] = Double(result.failed)
                report["batch_size"] = Double(options.batchSize)
                log(String(
                    format: "IntakeClient.send(batch:) of %d: %.0f events/s (%d stored, %d failed requests in %.1f s)",
                    options.batchSize, result.rate, result.sent, result.failed, result.seconds))
            }
            if options.rawDuration > 0 {
                let token = try await tokens.token()
                let result = try await measureRawSends(
                    httpClient, url: target.url, token: token, concurrency: options.concurrency,
                    duration: .seconds(options.rawDuration))
                report["raw_events_per_second"] = result.rate
                report["raw_failed"] = Double(result.failed)
                log(String(
                    format: "bare HTTPClient.execute (no SDK, same requests): %.0f events/s (%d sent, %d failed in %.1f s)",
                    result.rate, result.sent, result.failed, result.seconds))
            }
            if options.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            }
        } catch {
            try? await httpClient.shutdown()
            await server?.stop()
            throw error
        }
        try await httpClient.shutdown()
        await server?.stop()
    }

    /// ns per `token()` call once a token is cached, after a warm-up of 10% of `calls`.
    static func measureTokenPath(_ tokens: TokenProvider, calls: Int) async throws -> Double {
        var checksum = 0
        for _ in 0..<max(calls / 10, 1000) {
            checksum &+= try await tokens.token().utf8.count
        }
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<calls {
            checksum &+= try await tokens.token().utf8.count
        }
        let elapsed = clock.now - started
        precondition(checksum > 0 && tokens.tokensFetched == 1, "the token path did not stay on the cached token")
        return elapsed.seconds * 1e9 / Double(calls)
    }

    struct SendResult {
        var sent: Int
        var failed: Int
        var seconds: Double
        var rate: Double { Double(sent) / seconds }
    }

    /// Runs `concurrency` tasks, each calling `attempt(worker, round)` for rounds 0, 1, 2, … until
    /// `duration` has passed, and adds up the events each attempt reports stored. A throwing attempt
    /// counts as failed (the first failure is logged).
    static func measure(
        concurrency: Int, duration: Duration, _ attempt: @escaping @Sendable (_ worker: Int, _ round: Int) async throws -> Int
    ) async throws -> SendResult {
        let failures = FailureCount()
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + duration
        let stored = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var stored = 0
                    var round = 0
                    while clock.now < deadline {
                        do {
                            stored += try await attempt(worker, round)
                        } catch {
                            if failures.value.add(1, ordering: .relaxed).newValue == 1 {
                                log("first failure: \(error)")
                            }
                        }
                        round += 1
                    }
                    return stored
                }
            }
            return try await group.reduce(0, +)
        }
        let seconds = (clock.now - started).seconds
        return SendResult(sent: stored, failed: failures.value.load(ordering: .relaxed), seconds: seconds)
    }

    /// `concurrency` tasks sending one event at a time each until `duration` has passed.
    static func measureSends(_ client: IntakeClient, concurrency: Int, duration: Duration) async throws -> SendResult {
        let tag = String(UUID().uuidString.prefix(8))
        // A short warm-up opens the connections before the clock starts.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask { _ = try await client.send(event(tag: "\(tag)-warm", worker: worker, number: 0)) }
            }
            try await group.waitForAll()
        }
        return try await measure(concurrency: concurrency, duration: duration) { worker, round in
            _ = try await client.send(event(tag: tag, worker: worker, number: round))
            return 1
        }
    }

    /// `concurrency` tasks sending `batchSize` events per request (`send(batch:)`, what `sendAll` and
    /// `intake send` use for bulk) until `duration` has passed; counts stored events.
    static func measureBatchSends(
        _ client: IntakeClient, batchSize: Int, concurrency: Int, duration: Duration
    ) async throws -> SendResult {
        let tag = UUID().uuidString.prefix(8)
        return try await measure(concurrency: concurrency, duration: duration) { worker, round in
            let events = (0..<batchSize).map { event(tag: "\(tag)-b\(round)", worker: worker, number: $0) }
            return try await client.send(batch: events).stored
        }
    }

    /// The floor set by AsyncHTTPClient itself: what `send` puts on the wire (the same body, bearer
    /// token and a distinct `Idempotency-Key`) without the SDK: no JSON encoding or decoding, no token
    /// lookup, no retry loop.
    static func measureRawSends(
        _ httpClient: HTTPClient, url: String, token: String, concurrency: Int, duration: Duration
    ) async throws -> SendResult {
        struct Refused: Error { var status: UInt }
        let tag = UUID().uuidString.prefix(8)
        return try await measure(concurrency: concurrency, duration: duration) { worker, round in
            let body = #"{"event_type":"lead","event_name":"signup","source_id":"load-test","event_id":"raw-\#(tag)-\#(worker)-\#(round)","fields":{"email":"someone@example.com","plan":"pro","seats":3},"created_at":"2019-12-02T10:00:00.000Z"}"#
            var request = HTTPClientRequest(url: url + "/v2/event")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Idempotency-Key", value: "raw-\(tag)-\(worker)-\(round)")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await httpClient.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 201 else { throw Refused(status: response.status.code) }
            return 1
        }
    }

    /// The same event as scripts/wrk/event.lua sends, with a distinct event_id.
    static func event(tag: String, worker: Int, number: Int) -> Event {
        Event(
            type: .lead, name: "signup", sourceID: "load-test",
            fields: ["email": .string("someone@example.com"), "plan": .string("pro"), "seats": .integer(3)],
            eventID: "\(tag)-\(worker)-\(number)", createdAt: "2019-12-02T10:00:00.000Z")
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Failed sends, counted across tasks.
final class FailureCount: Sendable {
    let value = Atomic<Int>(0)
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

struct Options {
    struct Problem: Error { var message: String }

    static let usage = """
        usage: sdk-benchmark [--url URL --client-id ID --client-secret SECRET] [--concurrency 64]
                             [--connections N] [--duration 10] [--token-calls 1000000]
                             [--batch-size 0] [--raw-duration 0] [--json]

          --url, --client-id, --client-secret   the server (env INTAKE_URL, INTAKE_CLIENT_ID, INTAKE_CLIENT_SECRET);
                                                without them a server is started in this process
          --concurrency N     tasks calling IntakeClient.send at once (default 64)
          --connections N     HTTP/1.1 connections the HTTPClient may open (default: the concurrency)
          --duration S        seconds of sending; 0 skips the send benchmark (default 10)
          --token-calls N     calls of the cached-token path; 0 skips it (default 1000000)
          --batch-size N      afterwards, as long again with N events per request (send(batch:)); 0 skips it
          --raw-duration S    afterwards, seconds of bare HTTPClient.execute posts without the SDK,
                              to show what the HTTP client alone costs (default 0: skipped)
          --json              end with one JSON line on stdout
        """

    var url: String?
    var clientID: String?
    var clientSecret: String?
    var concurrency = 64
    var connectionLimit: Int?
    var duration = 10
    var tokenCalls = 1_000_000
    var batchSize = 0
    var rawDuration = 0
    var json = false

    init(arguments: [String]) throws(Problem) {
        let environment = ProcessInfo.processInfo.environment
        url = environment["INTAKE_URL"]
        clientID = environment["INTAKE_CLIENT_ID"]
        clientSecret = environment["INTAKE_CLIENT_SECRET"]
        var rest = arguments[...]
        func value(_ name: String) throws(Problem) -> String {
            guard let value = rest.popFirst() else { throw Problem(message: "\(name) needs a value") }
            return value
        }
        func number(_ name: String) throws(Problem) -> Int {
            let text = try value(name)
            guard let number = Int(text), number >= 0 else { throw Problem(message: "\(name): not a number: \(text)") }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--url": url = try value(argument)
            case "--client-id": clientID = try value(argument)
            case "--client-secret": clientSecret = try value(argument)
            case "--concurrency": concurrency = max(try number(argument), 1)
            case "--connections": connectionLimit = max(try number(argument), 1)
            case "--duration": duration = try number(argument)
            case "--token-calls": tokenCalls = try number(argument)
            case "--batch-size": batchSize = min(try number(argument), 500)
            case "--raw-duration": rawDuration = try number(argument)
            case "--json": json = true
            case "-h", "--help": throw Problem(message: "")
            default: throw Problem(message: "unknown argument \(argument)")
            }
        }
        if url != nil, clientID == nil || clientSecret == nil {
            throw Problem(message: "--url needs --client-id and --client-secret")
        }
    }

    /// HTTP/1.1 connections for the client: one per task unless `--connections` says otherwise.
    var connections: Int { connectionLimit ?? concurrency }
}

/// A server in this process over a fresh SQLite database, with one client.
struct InProcessServer: Sendable {
    var url: String
    var credentials: IntakeCredentials
    var directory: URL
    var task: Task<Void, any Error>
    var listener: any Channel

    static func start() async throws -> InProcessServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-benchmark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("intake.sqlite").path)
        let (_, registered) = try await store.registerClient(
            name: "benchmark", account: "default", scopes: try ScopeSet(parsing: "events:write events:read"))
        var logger = Logger(label: "sdk-benchmark-server")
        logger.logLevel = .warning
        let server = try await IntakeServer(
            store: store, configuration: IntakeServerConfiguration(host: "127.0.0.1", port: 0), logger: logger)
        let (listeners, continuation) = AsyncStream.makeStream(of: (any Channel).self)
        let app = server.makeApplication { channel in
            continuation.yield(channel)
            continuation.finish()
        }
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var iterator = listeners.makeAsyncIterator()
        guard let listener = await iterator.next(), let port = listener.localAddress?.port, port > 0 else {
            task.cancel()
            throw Options.Problem(message: "the in-process server did not start")
        }
        return InProcessServer(
            url: "http://127.0.0.1:\(port)",
            credentials: IntakeCredentials(clientID: registered.clientID, clientSecret: registered.clientSecret),
            directory: directory, task: task, listener: listener)
    }

    /// Closes the listening socket first and lets the accept loop hand out what it has accepted:
    /// cancelling it with a connection still queued makes NIO stop the process.
    func stop() async {
        try? await listener.close()
        try? await Task.sleep(for: .milliseconds(100))
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: directory)
    }
}
