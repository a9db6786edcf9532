import Foundation
import Testing

/// The README's SDK quick start is `Examples/QuickStart/main.swift`, verbatim, so the code a reader
/// pastes is the code CI builds and runs against a live server.
@Suite struct QuickStartTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theReadmeShowsTheExampleVerbatim() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(
            contentsOf: Self.root.appendingPathComponent("Examples/QuickStart/main.swift"), encoding: .utf8)
        #expect(readme.contains("```swift\n" + example + "```\n"), "README.md no longer shows Examples/QuickStart/main.swift as it is")
    }
}
