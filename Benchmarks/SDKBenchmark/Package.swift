// swift-tools-version:6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory (the checkout's name, e.g. `main` or `intake`).
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
let intake = parent.lastPathComponent

// The SDK benchmark, run by hand (not by `swift test`): see scripts/sdk-benchmark.sh.
//
//   swift build -c release --package-path Benchmarks/SDKBenchmark
//   Benchmarks/SDKBenchmark/.build/release/sdk-benchmark --help
let package = Package(
    name: "SDKBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "sdk-benchmark",
            dependencies: [
                .product(name: "IntakeKit", package: intake),
                .product(name: "IntakeModel", package: intake),
                .product(name: "IntakeCore", package: intake),
                .product(name: "IntakeServer", package: intake),
                .product(name: "IntakeSQLite", package: intake),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SDKBenchmark"
        )
    ]
)
