import ConnectorKit
import ConnectorKitTesting
import Foundation
@testable import SwitchboardHost

/// A temporary folder with a vault, a key file and secret canaries planted in the environment,
/// a file and the vault, plus a loader over the example and probe modules.
struct ConfigFixture {
    let directory: String
    let canaries = SecretCanaries(count: 3, tag: "cfg")
    let environment: [String: String]
    let masterKey = MasterKey.generate()

    /// The valid base file; tests edit single lines of it. Line numbers are referred to by the tests.
    static let base = """
        version: 1
        host:
          listen: 127.0.0.1:8710
        vault:
          path: vault.json
          master_key: env:TEST_MASTER_KEY
        connectors:
          acme:
            module: example
            features: [ticketing, knowledge]
            org: { login_url: sandbox }
            auth:
              consumer_key: env:TEST_CONSUMER_KEY
              username: integration@acme.example
              private_key: vault:sf-jwt-key
            ticketing: { case_origin: Chat, watch_interval: 60s }
            knowledge:
              languages: [en_US, de]
              fields: { body: Body__c }
        """

    init() throws {
        directory = NSTemporaryDirectory() + "switchboard-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let vault = VaultFile(path: directory + "/vault.json")
        try vault.create(masterKey: masterKey)
        try vault.set("sf-jwt-key", to: Secret(canaries.values[2]), masterKey: masterKey)
        try canaries.values[1].write(toFile: directory + "/token.txt", atomically: false, encoding: .utf8)
        environment = [
            "TEST_MASTER_KEY": try masterKey.encoded.revealedString(),
            "TEST_CONSUMER_KEY": canaries.values[0],
            "SF_USER": "integration@acme.example",
        ]
    }

    var loader: ConfigLoader {
        ConfigLoader(registry: ModuleRegistry([ExampleModule(), ProbeModule()]), environment: environment)
    }

    /// The base text with 1-based `line` replaced (or removed when `with` is nil).
    static func base(replacing line: Int, with text: String?) -> String {
        var lines = base.components(separatedBy: "\n")
        if let text { lines[line - 1] = text } else { lines.remove(at: line - 1) }
        return lines.joined(separator: "\n")
    }

    func load(_ text: String) throws(ConfigError) -> HostConfiguration {
        try loader.load(text: text, file: "connectors.yaml", baseDirectory: directory)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
