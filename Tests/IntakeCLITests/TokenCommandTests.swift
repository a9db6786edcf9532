import Foundation
import IntakeTestSupport
import Testing

/// `intake token`, which scripts wait on.
@Suite("intake token")
struct TokenCommandTests {
    @Test("A server that is not there is reported within seconds, not after 30")
    func closedPortFailsPromptly() async throws {
        try await TemporaryDirectory.with { directory in
            // Port 1 refuses at once; five attempts with their backoff take under two seconds.
            let result = try await IntakeExecutable.run(
                ["token", "--url", "http://127.0.0.1:1", "--client-id", "id", "--client-secret", "secret"], in: directory,
                timeout: .seconds(10))
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.hasPrefix("Error: "), "\(result)")
            #expect(result.stdout.isEmpty)
        }
    }
}
