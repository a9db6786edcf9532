/// Thrown when a storage operation did not finish in time (for example while the database is
/// unreachable), so that the caller can answer `503` instead of hanging.
package struct StorageTimeout: Error, Equatable, Sendable {
    package init() {}
}

/// Runs `operation`, giving up after `limit` with ``StorageTimeout`` (the operation is cancelled).
///
/// ```swift
/// let version = try await withDeadline(.seconds(2)) { try await store.clientsVersion() }
/// ```
package func withDeadline<Value: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw StorageTimeout()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw StorageTimeout() }
        return first
    }
}
