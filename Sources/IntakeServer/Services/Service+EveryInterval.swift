import ServiceLifecycle

extension Service {
    /// Runs `work` after each `interval` (with how many times it ran before) until graceful
    /// shutdown. Shutdown cancels the wait; that
    /// is the normal way out, not a failure (thrown, it would fail the service group and
    /// `intake serve` would exit 1 printing CancellationError).
    func everyInterval(_ interval: Duration, _ work: @escaping @Sendable (_ runs: Int) async -> Void) async {
        await cancelWhenGracefulShutdown {
            var runs = 0
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                await work(runs)
                runs += 1
            }
        }
    }
}
