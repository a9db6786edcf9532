/// Thrown when an operation did not finish in time (a database that does not answer, a request
/// body that does not arrive), so that the caller can answer at once instead of hanging.
package struct DeadlineExceeded: Error, Equatable, Sendable {
    package init() {}
}

/// Runs `operation`, giving up after `limit` with ``DeadlineExceeded`` (the operation is cancelled).
///
/// ```swift
/// let version = try await withDeadline(.seconds(2)) { try await store.clientsVersion() }
/// ```
@discardableResult
package func withDeadline<Value: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded() }
        return first
    }
}
