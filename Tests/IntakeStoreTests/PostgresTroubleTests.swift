import Foundation
import IntakeCore
import IntakePostgres
import IntakeTestSupport
import PostgresNIO
import Testing

/// A database that cannot be used fails at once with one clear reason, and no wait on it is unbounded.
@Suite("PostgreSQL trouble")
struct PostgresTroubleTests {
    static let nothingListens = "postgres://intake:secret@127.0.0.1:1/intake?sslmode=disable"

    @Test func anUnreachableServerFailsAtOnceWithOneLine() async throws {
        // The pool alone would retry for a minute before its first query failed.
        let error = await #expect(throws: PostgresUnavailable.self) {
            try await PostgresStore.withRunningStore(Self.nothingListens, logger: PostgresTestDatabase.logger) { _ in }
        }
        #expect(error?.description == "cannot reach PostgreSQL at 127.0.0.1:1: refused, unreachable, or no answer within 5.0 seconds")
        #expect(error?.description.contains("secret") == false)
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.skipMessage)))
    func aRefusedUserFailsAtOnceAndSaysSo() async throws {
        let configured = try #require(PostgresTestDatabase.url)
        var components = try #require(URLComponents(string: configured))
        components.user = "no_such_user"
        components.password = "hunter2-not-this"
        let url = try #require(components.string)
        let error = await #expect(throws: PostgresUnavailable.self) {
            try await PostgresStore.withRunningStore(url, logger: PostgresTestDatabase.logger) { _ in }
        }
        #expect(error?.description.contains("refused the user no_such_user") == true, "\(String(describing: error))")
        #expect(error?.description.contains("hunter2") == false)
    }

    /// A store whose pool runs against a port where nothing listens, as during an outage.
    static func withUnreachableStore(_ body: @Sendable (PostgresStore) async throws -> Void) async throws {
        let client = PostgresClient(
            configuration: try PostgresConnectionURL.configuration(from: Self.nothingListens),
            backgroundLogger: PostgresTestDatabase.logger)
        let store = PostgresStore(client: client, logger: PostgresTestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(store)
        }
    }

    @Test func aQueryDuringAnOutageGivesUpWithinItsDeadline() async throws {
        try await Self.withUnreachableStore { store in
            // The store's own deadline ends the wait; without it the pool's circuit breaker would,
            // about a minute later, with another error.
            await #expect(throws: DeadlineExceeded.self) { try await store.eventPage(EventPageQuery(account: "default")) }
            await #expect(throws: DeadlineExceeded.self) { try await store.clientsVersion() }
        }
    }

    @Test func manyEventWritersDuringAnOutageAreAllAnsweredWithinTheCommitDeadline() async throws {
        try await Self.withUnreachableStore { store in
            // 24 writers: more than the batches in flight, so most wait in the queue behind
            // batches that wait for the database. Their wait counts from their own arrival: before,
            // queued requests waited for those batches' deadline and then their own (10 s).
            let waits = await withTaskGroup(of: Duration?.self) { writers in
                for index in 0..<24 {
                    writers.addTask {
                        let started = ContinuousClock.now
                        do {
                            _ = try await store.store(Fixtures.submission(events: [Fixtures.event(name: "w\(index)")]))
                            return nil
                        } catch {
                            return ContinuousClock.now - started
                        }
                    }
                }
                return await writers.reduce(into: [Duration?]()) { $0.append($1) }
            }
            #expect(waits.allSatisfy { $0 != nil }, "an event was stored with no database")
            let longest = waits.compactMap { $0 }.max() ?? .zero
            #expect(longest < .seconds(7), "a writer waited \(longest) for its 503 (the deadline is 5 s)")
        }
    }
}
