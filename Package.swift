// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "intake",
    platforms: [.macOS(.v15)],
    products: [
        // The supported products: the command-line tool and the SDK. The server's modules are
        // internal to this package (`package` access) and may change in any release.
        .executable(name: "intake", targets: ["IntakeCLI"]),
        .library(name: "IntakeKit", targets: ["IntakeKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Tests only: the third-party verifier of our tokens and key set.
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "IntakeModel",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeCore",
            dependencies: [
                "IntakeModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                // The metrics API only (no backend): group commits report their batch sizes and times.
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeSQLite",
            dependencies: [
                "IntakeCore",
                "IntakeModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakePostgres",
            dependencies: [
                "IntakeCore",
                "IntakeModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeServer",
            dependencies: [
                "IntakeCore",
                "IntakeModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [
                // Compiled into the binary, so that a copied `intake` serves it without a bundle beside it.
                .embedInCode("OpenAPI/openapi.json")
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IntakeKit",
            dependencies: [
                "IntakeModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "IntakeCLI",
            dependencies: [
                "IntakeCore",
                "IntakeSQLite",
                "IntakePostgres",
                "IntakeServer",
                "IntakeKit",
                "IntakeModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The README's SDK quick start, verbatim; CI builds it and runs it against a live server.
        .executableTarget(
            name: "QuickStart",
            dependencies: ["IntakeKit"],
            path: "Examples/QuickStart",
            swiftSettings: swiftSettings
        ),
        // Fixtures and the PostgreSQL test database, shared by the storage and server tests.
        .target(
            name: "IntakeTestSupport",
            dependencies: [
                "IntakeCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                "IntakeModel",
                "IntakePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/IntakeTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeModelTests",
            dependencies: ["IntakeModel"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeCoreTests",
            dependencies: [
                "IntakeCore",
                "IntakeTestSupport",
                "IntakeModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeSQLiteTests",
            dependencies: [
                "IntakeSQLite", "IntakeCore", "IntakeModel", "IntakeTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeStoreTests",
            dependencies: [
                "IntakeCore",
                "IntakeModel",
                "IntakeSQLite",
                "IntakePostgres",
                "IntakeTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeServerTests",
            dependencies: [
                "IntakeServer",
                "IntakeSQLite",
                "IntakePostgres",
                "IntakeTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                "IntakeCore",
                "IntakeModel",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // An independent JOSE implementation: tokens are checked against the published JWKS with it.
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                // EmbeddedChannel: connection decisions tested without sockets.
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the real `intake` executable (built beside the test bundle) as an operator would.
        .testTarget(
            name: "IntakeCLITests",
            dependencies: [
                "IntakeTestSupport",
                // Not imported: the dependency makes `swift build --build-tests` build `intake` first.
                "IntakeCLI",
                "IntakeSQLite",
                "IntakeCore",
                "IntakeModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // A self-signed certificate for localhost and keys, for the TLS tests (test fixtures only).
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeKitTests",
            dependencies: [
                "IntakeKit",
                "IntakeTestSupport",
                "IntakeModel",
                "IntakeServer",
                "IntakeSQLite",
                "IntakeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
