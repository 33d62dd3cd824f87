import Foundation
import LiveAssistConnector
import SalesforceConnector
import SwitchboardHost

/// `connectors.yaml` as the host loads it: YAML, then the host's schema and every built-in
/// module's settings schema; a refusal is a list of diagnostics, whose text is made too.
enum ConfigTarget {
    static let loader = ConfigLoader(registry: ModuleRegistry([SalesforceModule(), LiveAssistModule()]),
                                     environment: ["SF_CONSUMER_KEY": "3MVGfuzz", "EMPTY": ""], checksSecrets: false)

    static func run(_ input: [UInt8]) {
        do {
            let configuration = try loader.load(text: String(decoding: input, as: UTF8.self), file: "connectors.yaml", baseDirectory: "/nonexistent/switchboard-fuzz")
            _ = configuration.connectors.map(\.name)
        } catch {
            _ = error.description
        }
    }
}
