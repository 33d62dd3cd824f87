/// The module's example connector (the `connectors.yaml` snippet) and the test target that runs the
/// conformance kit against it.
struct ExampleTemplates {
    let name: ConnectorName
    let features: [ScaffoldFeature]
    var external = false

    /// The connector's lines, unindented (a mapping of one connector name to its settings).
    var connectorLines: [String] {
        var lines = [
            "\(name.module):",
            "  module: \(name.module)",
            "  features: [\(features.map(\.rawValue).joined(separator: ", "))]",
            "  base_url: https://\(name.module).example.com",
            "  api_token: env:\(name.tokenVariable)",
        ]
        for feature in features where feature == .userIngestion || feature == .knowledge {
            lines.append("  \(feature.rawValue): { schedule: \(feature == .userIngestion ? "15m" : "1h") }")
        }
        return lines
    }

    /// The commented snippet for `connectors:` in connectors.yaml (indented two spaces); for an
    /// external module, its `modules:` entry first.
    var snippet: String {
        if external {
            return """
                modules:
                  # \(name.module): its own process (swift build makes .build/debug/\(name.executable)); docs/module-protocol.md
                  \(name.module):
                    command: .build/debug/\(name.executable)
                connectors:

                """ + internalSnippet
        }
        return internalSnippet
    }

    private var internalSnippet: String {
        let comments = [
            "# \(name.module): scaffolded by new-connector; `switchboard modules` documents every setting.",
            "# Set \(name.tokenVariable) (or use vault:NAME) before `switchboard validate` and `switchboard run`.",
        ]
        return (comments + connectorLines).map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    var testFile: (path: String, text: String) {
        let yaml = connectorLines.map { "        " + $0 }.joined(separator: "\n")
        return ("Tests/\(name.testTarget)/\(name.typePrefix)ConformanceTests.swift", """
            import ConnectorKitTesting
            import Testing
            import \(name.target)

            /// The `\(name.module)` module passes the conformance kit. Features still `TODO` are reported as
            /// not implemented (never as passing); add tests of your own beside this one as you write them.
            @Suite("\(name.module) module conformance")
            struct \(name.typePrefix)ConformanceTests {
                /// The connector the checks run against: the snippet new-connector printed for connectors.yaml.
                static let example = \"\"\"
            \(yaml)
                    \"\"\"

                @Test func passesTheConformanceKit() async throws {
                    let report = try await ConnectorConformance.check(\(name.moduleType)(), config: Self.example)
                    print(report)
                }
            }

            """)
    }
}
