import Foundation

/// A fresh directory for one test's files, removed afterwards. It is owner-only (0700), as
/// `intake` wants a database directory to be, so stores opened in it log no permission warning.
///
/// ```swift
/// try await TemporaryDirectory.with { directory in
///     let store = try SQLiteStore(path: directory.appendingPathComponent("intake.sqlite").path)
/// }
/// ```
package enum TemporaryDirectory {
    package static func make() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("intake-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return directory
    }

    package static func with<Value>(_ body: (URL) async throws -> Value) async throws -> Value {
        let directory = try make()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }
}
