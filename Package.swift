// swift-tools-version:6.1
import CompilerPluginSupport
import PackageDescription

/// Same upcoming features on every Swift target (as swift-log and Hummingbird do).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "chargeledger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ledger", targets: ["LedgerCLI"]),
        .executable(name: "ledger-bench", targets: ["LedgerBench"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Domain", targets: ["Domain"]),
        .library(name: "Projections", targets: ["Projections"]),
        .library(name: "LedgerTesting", targets: ["LedgerTesting"]),
        // For the fuzzing package (Fuzz/): its harnesses call the OCPI and OCPP parsers directly.
        .library(name: "API", targets: ["API"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Only at build time: the @Canonical macro that writes the event and state coders.
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.1"),
    ],
    targets: [
        // The system SQLite (Debian: libsqlite3-dev), as GRDB's GRDBSQLite does it.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Turns migrations/*.sql into Swift source at build time, so every binary carries its schema.
        .executableTarget(name: "EmbedMigrations", swiftSettings: strictSettings),
        .plugin(
            name: "EmbedMigrationsPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedMigrations"]
        ),
        .target(
            name: "Ledger",
            dependencies: [
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrationsPlugin"]
        ),
        // The event log on PostgreSQL (issue 8), for deployments that outgrow one machine.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Ledger",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrationsPlugin"]
        ),
        // `@Canonical`: generates each payload's and state's CodingKeys and canonical reader/writer.
        .macro(
            name: "CanonicalMacros",
            dependencies: [
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CanonicalCoding",
            dependencies: ["CanonicalMacros"],
            swiftSettings: strictSettings
        ),
        // OCPI 2.1.1 pricing: a session and a tariff in, a priced CDR's figures out. Pure
        // (Foundation only, no I/O), so every rule of the spec digest is tested on its own.
        .target(name: "Pricing", swiftSettings: strictSettings),
        // The event catalogue: what the edges record, and what the projections fold.
        .target(
            name: "Domain",
            dependencies: ["Ledger", "CanonicalCoding", "Pricing"],
            swiftSettings: strictSettings
        ),
        // The read models: their folds, schema (both dialects), queries and reports.
        .target(
            name: "Projections",
            dependencies: ["Ledger", "Domain", "CanonicalCoding", "Pricing"],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrationsPlugin"]
        ),
        // The edge: OCPI over HTTP, OCPP 1.6J over WebSocket, deliveries to the IOP.
        .target(
            name: "API",
            dependencies: [
                "Ledger",
                "Domain",
                "Projections",
                "Pricing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The ops page's templates: shipped with the binary, no CDN, no build step; the OCPP
            // 2.0.1 request schemas the central system checks every CALL against.
            resources: [.copy("Ops/Templates"), .copy("OCPP201/Schemas")],
            swiftSettings: strictSettings
        ),
        // A charge point and an IOP in process, for `ledger demo` and the delivery benchmark; the
        // lean swarm of chargers (plain NIO, no task per charger) for `ledger-bench chargers`.
        .target(
            name: "Simulation",
            dependencies: [
                "API",
                "Domain",
                "Ledger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LedgerTesting",
            dependencies: [
                "Ledger",
                "Domain",
                "Projections",
                "PostgresStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // What some suites need beyond Swift (Python's ocpp, Chromium, PostgreSQL), and how a test
        // without it is skipped: only the test targets link it (it imports Testing).
        .target(
            name: "TestPrerequisites",
            dependencies: ["LedgerTesting"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "LedgerCLI",
            dependencies: [
                "CSQLite",
                "Ledger",
                "Domain",
                "PostgresStore",
                "Projections",
                "API",
                "Pricing",
                "Simulation",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "LedgerBench",
            dependencies: [
                "Ledger",
                "Domain",
                "LedgerTesting",
                "PostgresStore",
                "Projections",
                "API",
                "Simulation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // A child process for the kill -9 crash test: appends in a loop, printing each durable position.
        .executableTarget(
            name: "LedgerTestWriter",
            dependencies: ["Ledger"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerTests",
            dependencies: [
                "Ledger", "LedgerTesting", "TestPrerequisites", "PostgresStore", "Domain", "Projections", "CSQLite", "LedgerCLI", "LedgerTestWriter",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "API", "Ledger", "Domain", "Projections", "LedgerTesting", "TestPrerequisites", "LedgerCLI", "PostgresStore", "Simulation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Simulator"), .copy("Vectors"), .copy("Scripts"), .copy("Soak")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ProjectionsTests",
            dependencies: ["Ledger", "Domain", "Projections", "LedgerTesting", "TestPrerequisites", "LedgerCLI"],
            resources: [.copy("Golden")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PricingTests",
            dependencies: ["Pricing"],
            // The spec digest's vectors, read by path (`#filePath`): also by APITests' `ledger price` test.
            exclude: ["Vectors"],
            swiftSettings: strictSettings
        ),
    ]
)
