import Hummingbird
import NIOCore

/// A Hummingbird application running in a task of its own, once it listens.
struct ListeningApplication: Sendable {
    var task: Task<Void, any Error>
    var listener: any Channel
    var port: Int

    /// Builds the application with `make` (given the callback to pass as `onServerRunning`), runs it,
    /// and returns once it is bound; if it fails to bind, its error is thrown.
    ///
    /// ```swift
    /// let running = try await ListeningApplication.start { onBound in try server.makeApplication(onServerRunning: onBound) }
    /// ```
    static func start<App: ApplicationProtocol>(
        _ make: (_ onBound: @escaping @Sendable (any Channel) async -> Void) throws -> App
    ) async throws -> ListeningApplication {
        let (bound, continuation) = AsyncStream.makeStream(of: (any Channel).self)
        let app = try make { channel in
            continuation.yield(channel)
            continuation.finish()
        }
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var listeners = bound.makeAsyncIterator()
        guard let listener = await listeners.next(), let port = listener.localAddress?.port, port > 0 else {
            try await task.value
            throw LiveServerError.didNotStart
        }
        return ListeningApplication(task: task, listener: listener, port: port)
    }
}
