// swift-tools-version:6.2
import PackageDescription

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

/// A connector module built into `switchboard`: a library target `Sources/<name>` (with product),
/// its test target `Tests/<name>Tests`, and a dependency of the `switchboard` executable, whose module
/// registry is generated from those dependencies (Plugins/ModuleRegistry) — listing a module here
/// is all it takes to build it in.
struct ConnectorModuleTarget {
    var name: String
    var dependencies: [Target.Dependency] = []
    var testDependencies: [Target.Dependency] = []

    /// A module made by `new-connector`: ConnectorKit, its test target the conformance kit.
    static func module(_ name: String) -> ConnectorModuleTarget { ConnectorModuleTarget(name: name) }
}

/// The connector modules built into `switchboard`, one line each. `swift package new-connector`
/// adds its line above the marker; nothing else needs editing.
let connectorModules: [ConnectorModuleTarget] = [
    // The `salesforce` module: JWT bearer auth, REST client, ticketing, users, knowledge, live agent.
    ConnectorModuleTarget(name: "SalesforceConnector", dependencies: [logging, serviceLifecycle],
                          testDependencies: ["SalesforceSandbox", "SwitchboardHost", logging]),
    // The `dynamics-live-assist` module: Dynamics 365 contact lookup + Live Assist chat tokens.
    ConnectorModuleTarget(name: "LiveAssistConnector", dependencies: [serviceLifecycle],
                          testDependencies: ["SalesforceSandbox", "SwitchboardHost", logging, serviceLifecycle]),
    // new-connector: modules above this line
]

/// Connector modules that run as their own process (docs/module-protocol.md): each is a library
/// target like a built-in one, plus an executable `<module>-module` serving it with
/// `ModuleServer.serve`, declared under `modules:` in connectors.yaml instead of built in.
/// `new-connector NAME --external` adds its line above the marker.
let externalModuleTargets: [(library: String, executable: String)] = [
    // new-connector --external: modules above this line
]

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConnectorKit", targets: ["ConnectorKit"]),
        .library(name: "ConnectorKitTesting", targets: ["ConnectorKitTesting"]),
        .library(name: "SalesforceSandbox", targets: ["SalesforceSandbox"]),
        .library(name: "SwitchboardConfig", targets: ["SwitchboardConfig"]),
        .library(name: "ModuleProtocol", targets: ["ModuleProtocol"]),
        .library(name: "SwitchboardHost", targets: ["SwitchboardHost"]),
        .library(name: "SwitchboardPostgres", targets: ["SwitchboardPostgres"]),
        .library(name: "SwitchboardCLI", targets: ["SwitchboardCLI"]),
        // The hand-written parsers as fuzz targets, for the libFuzzer build in Fuzz/ (and the regression tests).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
        .plugin(name: "NewConnector", targets: ["NewConnector"]),
    ] + connectorModules.map { .library(name: $0.name, targets: [$0.name]) }
      + externalModuleTargets.map { .executable(name: $0.executable, targets: [$0.executable]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // `swift package generate-documentation --target ConnectorKit` (DocC); no code depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        // The system OpenSSL 3 libcrypto, for RS256 signing (about 2x BoringSSL's rate here).
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "ConnectorKit",
            dependencies: [
                "COpenSSL",
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // connectors.yaml → validated ConnectorConfigurations (YAML positions, schema checks, module registry).
        .target(
            name: "SwitchboardConfig",
            dependencies: ["ConnectorKit", .product(name: "Yams", package: "Yams")]
        ),
        // The external module protocol (docs/module-protocol.md): JSON-RPC lines, schema and model mappings.
        .target(
            name: "ModuleProtocol",
            dependencies: ["ConnectorKit", logging, serviceLifecycle]
        ),
        .target(
            name: "ConnectorKitTesting",
            dependencies: [
                "ConnectorKit", "SwitchboardConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        // A fake Salesforce org on loopback. It verifies JWTs with jwt-kit, never with our signer.
        .target(
            name: "SalesforceSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "SwitchboardHost",
            dependencies: [
                "ConnectorKit", "SwitchboardConfig", "ModuleProtocol", "SwitchboardMCP",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The host's features as an MCP server (tools over the host's own API).
        .target(
            name: "SwitchboardMCP",
            dependencies: [
                "ConnectorKit",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The host store on PostgreSQL (`host.store: postgres://…`), for several hosts on one database.
        .target(
            name: "SwitchboardPostgres",
            dependencies: [
                "SwitchboardHost",
                "ConnectorKit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                serviceLifecycle,
            ]
        ),
        // The whole command line as a library: `Switchboard.main(modules:)` (custom builds call it too).
        .target(
            name: "SwitchboardCLI",
            dependencies: [
                "SwitchboardHost",
                "SwitchboardPostgres",
                "ConnectorKitTesting",
                "ConnectorKit",
                "ModuleProtocol",
                "SwitchboardMCP",
                .product(name: "MCP", package: "swift-sdk"),
                "SalesforceSandbox",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "X509", package: "swift-certificates"),
                logging,
                serviceLifecycle,
            ]
        ),
        // `switchboard`: Switchboard.main with the modules it depends on (registry generated by the plugin).
        .executableTarget(
            name: "switchboard",
            dependencies: ["SwitchboardCLI", "ConnectorKit"] + connectorModules.map { .target(name: $0.name) },
            plugins: ["ModuleRegistry"]
        ),
        // A Swift module served over the external module protocol (tests run it as a child process).
        .executableTarget(
            name: "example-swift-module",
            dependencies: ["ConnectorKit", "ModuleProtocol", serviceLifecycle],
            path: "Examples/swift-module"
        ),
        // Every parser of untrusted bytes as a fuzz target (Fuzz/ runs them under libFuzzer).
        .target(
            name: "FuzzTargets",
            dependencies: ["ConnectorKit", "SalesforceConnector", "LiveAssistConnector", "SwitchboardHost", "ModuleProtocol"]
        ),
        // The scaffolder and registry generator, as a library (tested) and the tool the plugins run.
        .target(name: "ConnectorScaffold"),
        .executableTarget(
            name: "switchboard-scaffold",
            dependencies: ["ConnectorScaffold", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .plugin(
            name: "NewConnector",
            capability: .command(
                intent: .custom(verb: "new-connector", description: "Scaffold a connector module: target, tests, registration, connectors.yaml snippet"),
                permissions: [.writeToPackageDirectory(reason: "new-connector writes the module's target and test folders and edits Package.swift")]
            ),
            dependencies: ["switchboard-scaffold"]
        ),
        .plugin(name: "ModuleRegistry", capability: .buildTool(), dependencies: ["switchboard-scaffold"]),
        .testTarget(
            name: "ConnectorKitTests",
            dependencies: [
                "ConnectorKit", "ConnectorKitTesting", "SalesforceSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "SwitchboardHostTests",
            dependencies: [
                "SwitchboardHost", "ConnectorKit", "ConnectorKitTesting", "ModuleProtocol", "example-swift-module", "SwitchboardMCP",
                "SwitchboardPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "SalesforceSandboxTests",
            dependencies: [
                "SalesforceSandbox", "ConnectorKit", "ConnectorKitTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "switchboard", "ConnectorKit", "ConnectorKitTesting", "SalesforceSandbox", "SwitchboardHost", "SwitchboardMCP",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "ModuleProtocolTests",
            dependencies: ["ModuleProtocol", "ConnectorKit"]
        ),
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: ["FuzzTargets"]
        ),
        .testTarget(
            name: "ConnectorScaffoldTests",
            dependencies: ["ConnectorScaffold", "ConnectorKit"]
        ),
    ] + connectorModules.flatMap { module -> [Target] in
        [
            .target(name: module.name, dependencies: ["ConnectorKit"] + module.dependencies),
            .testTarget(name: module.name + "Tests", dependencies: [.target(name: module.name), "ConnectorKit", "ConnectorKitTesting"] + module.testDependencies),
        ]
    } + externalModuleTargets.flatMap { module -> [Target] in
        [
            .target(name: module.library, dependencies: ["ConnectorKit", serviceLifecycle]),
            .executableTarget(name: module.executable, dependencies: [.target(name: module.library), "ModuleProtocol"]),
            .testTarget(name: module.library + "Tests", dependencies: [.target(name: module.library), "ConnectorKit", "ConnectorKitTesting"]),
        ]
    },
    swiftLanguageModes: [.v6]
)
