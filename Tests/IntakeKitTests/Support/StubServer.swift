import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

@testable import IntakeKit

/// A tiny HTTP server in the test process that records every request and answers with `handler`:
/// a fake token endpoint, or a counting proxy in front of a ``LiveServer`` (``forward(_:to:)``).
///
/// ```swift
/// try await StubServer.with { request in
///     request.number == 1 ? .json(503, "{}", headers: ["Retry-After": "1"]) : .json(200, tokenJSON)
/// } body: { stub in … }
/// ```
final class StubServer: Sendable {
    /// One request as the stub saw it.
    struct Seen: Sendable {
        var number: Int
        var method: String
        var path: String
        var uri: String
        var headers: HTTPFields
        var body: ByteBuffer
        var arrivedAt: ContinuousClock.Instant
    }

    /// What the handler answers.
    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: ByteBuffer

        static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Answer {
            Answer(status: status, headers: [("Content-Type", "application/json")] + headers, body: ByteBuffer(string: text))
        }

        static func token(_ value: String, expiresIn: Int = 3600) -> Answer {
            .json(200, #"{"access_token": "\#(value)", "token_type": "Bearer", "expires_in": \#(expiresIn)}"#)
        }
    }

    typealias Handler = @Sendable (Seen) async throws -> Answer

    /// Every request so far, in order of arrival.
    private final class Log: Sendable {
        let entries = Mutex<[Seen]>([])
    }

    let port: Int
    private let log: Log
    private let task: Task<Void, any Error>
    private let listener: any Channel

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A token provider for this stub, with throwaway credentials.
    /// A provider for this stub; `now` moves its time by hand (see ``ManualTime``).
    func tokens(
        http: HTTPClient, configuration: TokenProvider.Configuration = .init(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) -> TokenProvider {
        TokenProvider(
            environment: .custom(baseURL: baseURL), credentials: IntakeCredentials(clientID: "id", clientSecret: "secret"),
            scope: nil, httpClient: http, configuration: configuration, now: now)
    }

    /// A client for this stub, on ``tokens(http:configuration:)``.
    func client(http: HTTPClient) -> IntakeClient {
        IntakeClient(tokens: tokens(http: http), httpClient: http)
    }
    var requests: [Seen] { log.entries.withLock { $0 } }

    /// Requests whose path is `path`.
    func count(_ path: String) -> Int { log.entries.withLock { $0.filter { $0.path == path }.count } }

    private init(port: Int, log: Log, task: Task<Void, any Error>, listener: any Channel) {
        self.port = port
        self.log = log
        self.task = task
        self.listener = listener
    }

    /// Starts a stub on a free port, runs `body`, stops the stub.
    static func with<Value: Sendable>(
        handler: @escaping Handler, body: (StubServer) async throws -> Value
    ) async throws -> Value {
        let log = Log()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 64 << 20)
            let seen = log.entries.withLock { log in
                let seen = Seen(
                    number: log.count + 1, method: request.method.rawValue, path: request.uri.path,
                    uri: request.uri.string, headers: request.headers, body: body, arrivedAt: .now)
                log.append(seen)
                return seen
            }
            let answer = try await handler(seen)
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: answer.body))
        }
        var logger = Logger(label: "intake-kit-stub")
        logger.logLevel = .critical
        let running = try await ListeningApplication.start { onBound in
            Application(
                responder: responder,
                configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                onServerRunning: onBound,
                logger: logger)
        }
        let stub = StubServer(port: running.port, log: log, task: running.task, listener: running.listener)
        do {
            let value = try await body(stub)
            await stub.stop()
            return value
        } catch {
            await stub.stop()
            throw error
        }
    }

    private func stop() async {
        await LiveServer.kill(task, listener: listener)
    }

    /// A counting proxy in front of `upstream`: every request is recorded, then forwarded as is.
    static func proxy<Value: Sendable>(
        to upstream: LiveServer, body: (StubServer) async throws -> Value
    ) async throws -> Value {
        try await withHTTPClient(connections: 64) { http in
            try await with(handler: { seen in try await forward(seen, to: upstream.baseURL, using: http) }, body: body)
        }
    }

    private static let hopByHop: Set<String> = ["connection", "keep-alive", "transfer-encoding", "content-length", "host"]

    /// Sends `seen` to `base` and returns its answer.
    static func forward(_ seen: Seen, to base: String, using http: HTTPClient) async throws -> Answer {
        var request = HTTPClientRequest(url: base + seen.uri)
        request.method = HTTPMethod(rawValue: seen.method)
        for field in seen.headers where !hopByHop.contains(field.name.canonicalName) {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        if seen.body.readableBytes > 0 || seen.method == "POST" { request.body = .bytes(seen.body) }
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        let headers = response.headers.filter { !hopByHop.contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
        return Answer(status: Int(response.status.code), headers: headers, body: body)
    }
}

/// A one-shot latch: `wait()` suspends until `open()`; after that it returns at once.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A counter tests can share across tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    @discardableResult func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
    var count: Int { value.load(ordering: .relaxed) }
}

/// A value tests can share across tasks and closures.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
    var value: Value { mutex.withLock { $0 } }
}
