/// Polls `condition` every 10 ms until it holds or `timeout` passes; true when it held.
///
/// ```swift
/// let known = try await eventually { try await server.tokenRequest(credentials).status == .ok }
/// ```
package func eventually(within timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
}
