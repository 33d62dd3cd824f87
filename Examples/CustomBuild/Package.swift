// swift-tools-version:6.2
import PackageDescription

// An organisation's own `switchboard`: the shipped modules plus a private one, without forking.
// It depends on Switchboard's products; in your repository use the package's URL and a version
// instead of the path.
let package = Package(
    name: "AcmeSwitchboard",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Switchboard", path: "../.."),
    ],
    targets: [
        // The private module: it implements ConnectorKit's contract like the built-in ones.
        .target(
            name: "PayrollConnector",
            dependencies: [.product(name: "ConnectorKit", package: "Switchboard")]
        ),
        // The executable: the whole switchboard CLI with the modules it chooses.
        .executableTarget(
            name: "acme-switchboard",
            dependencies: [
                "PayrollConnector",
                .product(name: "SwitchboardCLI", package: "Switchboard"),
                .product(name: "SalesforceConnector", package: "Switchboard"),
                .product(name: "LiveAssistConnector", package: "Switchboard"),
            ]
        ),
        .testTarget(
            name: "PayrollConnectorTests",
            dependencies: ["PayrollConnector", .product(name: "ConnectorKitTesting", package: "Switchboard")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
