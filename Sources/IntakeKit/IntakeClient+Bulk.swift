import Foundation
import IntakeModel

/// The fate of one event in a bulk send.
public struct BulkSendResult: Sendable, Hashable {
    /// The caller's tag for the event, e.g. its line number in a file.
    public var tag: Int
    /// Nil when stored; otherwise why not.
    public var failure: String?

    public var isStored: Bool { failure == nil }
}

extension IntakeClient {
    /// Sends every event of `events` in batches of up to `batchSize`, with at most `concurrency`
    /// requests in flight. Events are read from the sequence only as fast as the server takes them
    /// (backpressure, not buffering), and each batch keeps its `Idempotency-Key` across retries, so
    /// a server restart mid-send stores nothing twice. `onResult` is called once per event.
    ///
    /// ```swift
    /// let lines = AsyncStream<(tag: Int, event: JSONValue)> { … }
    /// try await client.sendAll(lines, concurrency: 8) { result in
    ///     if let failure = result.failure { print("line \(result.tag): \(failure)") }
    /// }
    /// ```
    public func sendAll<Events: AsyncSequence>(
        _ events: Events,
        batchSize: Int = 100,
        concurrency: Int = 4,
        onResult: @escaping @Sendable (BulkSendResult) -> Void
    ) async throws where Events.Element == (tag: Int, event: JSONValue) {
        let batchSize = min(max(batchSize, 1), 500)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var batch: [(tag: Int, event: JSONValue)] = []
            func dispatch(_ batch: [(tag: Int, event: JSONValue)]) async throws {
                if inFlight >= max(concurrency, 1) {
                    try await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask { await self.sendBatch(batch, onResult: onResult) }
            }
            for try await item in events {
                batch.append(item)
                if batch.count == batchSize {
                    try await dispatch(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try await dispatch(batch) }
            try await group.waitForAll()
        }
    }

    private func sendBatch(_ batch: [(tag: Int, event: JSONValue)], onResult: @Sendable (BulkSendResult) -> Void) async {
        do {
            let receipt = try await send(jsonBatch: batch.map(\.event))
            for item in receipt.results where batch.indices.contains(item.index) {
                let failure = item.status == 201
                    ? nil : (item.errors ?? []).map { Self.stripBatchPath($0.description) }.joined(separator: "; ")
                onResult(BulkSendResult(tag: batch[item.index].tag, failure: failure))
            }
        } catch {
            for item in batch {
                onResult(BulkSendResult(tag: item.tag, failure: String(describing: error)))
            }
        }
    }

    /// `events[3].event_type is required` → `event_type is required`: the caller knows the line.
    private static func stripBatchPath(_ text: String) -> String {
        guard text.hasPrefix("events["), let dot = text.firstIndex(of: "]") else { return text }
        let rest = text[text.index(after: dot)...]
        return String(rest.hasPrefix(".") ? rest.dropFirst() : rest)
    }
}
