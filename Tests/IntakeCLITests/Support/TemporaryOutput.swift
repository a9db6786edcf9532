import Foundation
import IntakeTestSupport

/// Two files that take a child process's stdout and stderr, in a directory of their own (so they
/// never show up in the directory the command runs in), removed afterwards.
struct TemporaryOutput {
    let directory: URL

    var stdoutURL: URL { directory.appendingPathComponent("stdout") }
    var stderrURL: URL { directory.appendingPathComponent("stderr") }

    static func with<Value>(_ body: (TemporaryOutput) async throws -> Value) async throws -> Value {
        try await TemporaryDirectory.with { directory in
            try await body(TemporaryOutput(directory: directory))
        }
    }

    private init(directory: URL) {
        self.directory = directory
    }

    func stdoutText() -> String { Self.text(of: stdoutURL) }
    func stderrText() -> String { Self.text(of: stderrURL) }

    private static func text(of url: URL) -> String {
        String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
    }
}
