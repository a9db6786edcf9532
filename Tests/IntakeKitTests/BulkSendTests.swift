import AsyncHTTPClient
import Foundation
import IntakeKit
import IntakeModel
import NIOCore
import Synchronization
import IntakeTestSupport
import Testing

/// ``IntakeClient/sendAll(_:batchSize:concurrency:onResult:)``: exactly-once storage across a server
/// restart, per-event failures, backpressure.
@Suite struct BulkSendTests {
    @Test func serverRestartMidSendStoresEveryEventExactlyOnce() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register(account: "bulk-\(UUID().uuidString)")
            try await withHTTPClient { http in
                let tokens = TokenProvider(
                    environment: server.environment, credentials: credentials, httpClient: http,
                    configuration: .init(requestTimeout: .seconds(10), retry: patientRetry))
                let client = IntakeClient(
                    tokens: tokens, httpClient: http, configuration: .init(requestTimeout: .seconds(10), retry: patientRetry))
                let source = "bulk-\(UUID().uuidString)"
                let total = 3000
                let firstResult = Gate()
                let stopped = Gate()
                let restarted = Gate()
                // Events 1000… wait for the server to be down, 1500… for it to be back, so that batches
                // are in flight across the stop, sent while it is down, and sent after the restart.
                let events = GeneratedEvents(source: source, count: total, gates: [1000: stopped, 1500: restarted])
                let results = Locked<[Int: [String?]]>([:])
                let sending = Task {
                    try await client.sendAll(events, batchSize: 50, concurrency: 8) { result in
                        results.withLock { $0[result.tag, default: []].append(result.failure) }
                        firstResult.open()
                    }
                }
                await firstResult.wait()
                await server.stop()
                stopped.open()
                #expect(await eventually(within: .seconds(10)) { client.retries > 0 }, "nothing was sent while the server was down")
                try await server.start()
                restarted.open()
                try await sending.value

                let outcome = results.withLock { $0 }
                #expect(outcome.count == total)
                #expect(outcome.keys.sorted() == Array(0..<total))
                let repeated = outcome.filter { $0.value.count != 1 }
                #expect(repeated.isEmpty, "events reported more than once: \(repeated.keys.sorted().prefix(10))")
                let failed = outcome.filter { $0.value.contains { $0 != nil } }
                #expect(failed.isEmpty, "failed: \(failed.prefix(5))")

                let stored = try await allEvents(client, IntakeKit.EventQuery(limit: 1000, sourceID: source))
                let eventIDs = stored.compactMap(\.event.eventID)
                #expect(stored.count == total, "stored \(stored.count) events for \(total) sent")
                #expect(Set(eventIDs).count == eventIDs.count, "some events were stored twice")
                #expect(Set(eventIDs) == Set((0..<total).map { "\(source)-\($0)" }))
                #expect(Set(stored.map(\.id)).count == stored.count)
                #expect(client.retries > 0)
            }
        }
    }

    @Test func badEventsAreReportedByTagAndTheRestStored() async throws {
        try await LiveServer.with { server in
            let credentials = try await server.register(account: "bulk-bad-\(UUID().uuidString)")
            try await withHTTPClient { http in
                let client = server.client(credentials, http: http)
                let lines: [(tag: Int, event: JSONValue)] = (1...25).map { line in
                    var event = GeneratedEvents.event(source: "bad", number: line)
                    if line % 10 == 3, case .object(var members) = event {
                        members["event_type"] = .string("purchase")
                        event = .object(members)
                    }
                    return (line, event)
                }
                let results = Locked<[Int: String?]>([:])
                try await client.sendAll(AsyncStream { continuation in
                    for line in lines { continuation.yield(line) }
                    continuation.finish()
                }, batchSize: 4, concurrency: 2) { result in
                    results.withLock { $0[result.tag] = result.failure }
                }
                let outcome = results.withLock { $0 }
                #expect(outcome.count == 25)
                #expect(outcome.filter { $0.value != nil }.keys.sorted() == [3, 13, 23])
                #expect(outcome[13] == .some("event_type must be one of lead, conversion, action"))
                let stored = try await allEvents(client)
                #expect(stored.count == 22)
            }
        }
    }

    @Test func eventsAreReadOnlyAsFastAsTheServerTakesThem() async throws {
        let gate = Gate()
        try await StubServer.with { seen in
            if seen.path == "/oauth2/token" { return .token("t") }
            await gate.wait()
            let envelope = try JSONDecoder().decode(JSONValue.self, from: Data(seen.body.readableBytesView))
            guard case .object(let members) = envelope, case .array(let events)? = members["events"] else {
                return .json(400, "{}")
            }
            let results = events.indices.map { #"{"index": \#($0), "status": 201, "id": \#($0 + 1), "received_at": "2024-01-01T00:00:00.000Z"}"# }
            return .json(200, #"{"stored": \#(events.count), "failed": 0, "results": [\#(results.joined(separator: ","))]}"#)
        } body: { stub in
            try await withHTTPClient { http in
                let client = stub.client(http: http)
                let events = GeneratedEvents(source: "pressure", count: 2_000)
                let stored = Counter()
                let sending = Task {
                    try await client.sendAll(events, batchSize: 10, concurrency: 4) { result in
                        if result.isStored { stored.increment() }
                    }
                }
                #expect(await eventually(within: .seconds(10)) { stub.count("/v2/events") == 4 })
                try await Task.sleep(for: .milliseconds(300))
                // Four batches in flight, at most one more being filled: nowhere near all 2,000.
                #expect(events.pulled.count <= 4 * 10 + 10 + 1, "read \(events.pulled.count) events ahead of the server")
                #expect(stub.count("/v2/events") == 4, "more requests in flight than the concurrency")
                gate.open()
                try await sending.value
                #expect(stored.count == 2_000)
                #expect(events.pulled.count == 2_000)
            }
        }
    }
}

/// `count` events of `source` made on demand; before yielding the event numbered by a key of
/// `gates`, it waits for that gate. `pulled` counts the events handed out.
struct GeneratedEvents: AsyncSequence, Sendable {
    typealias Element = (tag: Int, event: JSONValue)

    let source: String
    let count: Int
    var gates: [Int: Gate] = [:]
    let pulled = Counter()

    static func event(source: String, number: Int) -> JSONValue {
        .object([
            "event_type": .string("lead"), "event_name": .string("bulk"), "source_id": .string(source),
            "event_id": .string("\(source)-\(number)"), "fields": .object(["n": .integer(Int64(number))]),
        ])
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: GeneratedEvents
        var next = 0

        mutating func next() async -> Element? {
            guard next < sequence.count else { return nil }
            if let gate = sequence.gates[next] { await gate.wait() }
            let number = next
            next += 1
            sequence.pulled.increment()
            return (number, GeneratedEvents.event(source: sequence.source, number: number))
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }
}
