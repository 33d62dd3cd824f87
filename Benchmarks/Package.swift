// swift-tools-version:6.2
// Performance figures for Switchboard, run on demand (never part of `swift test` or CI's pass/fail):
//   bash Benchmarks/signing-vs-openssl.sh     RS256 sign/verify beside `openssl speed rsa2048`
//   bash Benchmarks/sse-parse.sh              SSE parse of 100 MB beside a memchr newline scan (SSEParse)
//   (cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --target TransportBenchmarks)
//   (cd Benchmarks && swift run -c release HTTPLoad [callers] [seconds])   HTTP requests/s to the sandbox
//   (cd Benchmarks && swift run -c release SyncLoad [contacts])            contact sync records/s, peak RSS
//   (cd Benchmarks && swift run -c release HandoffLoad [handoffs] [messages])   host RSS per open handoff, relay p50/p99
//   (cd Benchmarks && swift build -c release --product BenchModule && swift run -c release ModuleLoad [users] [calls])
//                                                                       external module protocol: call p50/p99, records/s
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where the repo was cloned.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

/// One benchmark executable per area, in Benchmarks/NAME, run by ordo-one/benchmark's plugin.
func benchmarkTarget(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "ConnectorKit", package: rootIdentity),
            .product(name: "Benchmark", package: "benchmark"),
        ] + (name == "SSEBenchmarks" ? ["SSEStream"] : []),
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "SwitchboardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: root.path),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: ["SigningBenchmarks", "SSEBenchmarks", "TransportBenchmarks"].map(benchmarkTarget) + [
        // The Enhanced Messaging event stream both SSE benchmarks parse.
        .target(name: "SSEStream", path: "Benchmarks/SSEStream"),
        // SSE parse beside a memchr newline scan, interleaved round by round (ratio per round).
        .executableTarget(
            name: "SSEParse",
            dependencies: [.product(name: "ConnectorKit", package: rootIdentity), "SSEStream"],
            path: "Benchmarks/SSEParse"
        ),
        // Requests/s through the shared transport to the sandbox over loopback, N concurrent callers.
        .executableTarget(
            name: "HTTPLoad",
            dependencies: [
                .product(name: "ConnectorKit", package: rootIdentity),
                .product(name: "SalesforceSandbox", package: rootIdentity),
            ],
            path: "Benchmarks/HTTPLoad"
        ),
        // Full sync of N contacts from the sandbox into a fresh SQLite store: records/s and peak RSS.
        .executableTarget(
            name: "SyncLoad",
            dependencies: [
                .product(name: "ConnectorKit", package: rootIdentity),
                .product(name: "SalesforceSandbox", package: rootIdentity),
                .product(name: "SalesforceConnector", package: rootIdentity),
                .product(name: "SwitchboardHost", package: rootIdentity),
                .product(name: "SwitchboardPostgres", package: rootIdentity),
            ],
            path: "Benchmarks/SyncLoad"
        ),
        // N open live-agent handoffs in a host process against the sandbox: RSS per handoff, relay latency.
        .executableTarget(
            name: "HandoffLoad",
            dependencies: [
                .product(name: "ConnectorKit", package: rootIdentity),
                .product(name: "SalesforceSandbox", package: rootIdentity),
                .product(name: "SalesforceConnector", package: rootIdentity),
                .product(name: "SwitchboardHost", package: rootIdentity),
            ],
            path: "Benchmarks/HandoffLoad"
        ),
        // A module served over the external module protocol, for ModuleLoad.
        .executableTarget(
            name: "BenchModule",
            dependencies: [
                .product(name: "ConnectorKit", package: rootIdentity),
                .product(name: "ModuleProtocol", package: rootIdentity),
            ],
            path: "Benchmarks/BenchModule"
        ),
        // The protocol's cost through the host's real path: call round trip p50/p99, records/s into SQLite.
        .executableTarget(
            name: "ModuleLoad",
            dependencies: [
                .product(name: "ConnectorKit", package: rootIdentity),
                .product(name: "SwitchboardHost", package: rootIdentity),
            ],
            path: "Benchmarks/ModuleLoad"
        ),
    ],
    swiftLanguageModes: [.v6]
)
