import ConnectorKit
import Foundation
import Yams

/// Finds the vault and its master key from the `vault:` section alone, so `switchboard vault …`
/// works while other parts of `connectors.yaml` are still being written (say, before the vault
/// entries it references exist). Without a configuration file the defaults apply.
public enum VaultLocator {
    /// The vault configuration for `configPath`, or the defaults (`.switchboard/vault.json`,
    /// `env:SWITCHBOARD_MASTER_KEY`) relative to the current folder when the file does not exist.
    public static func configuration(
        configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> CredentialVault.Configuration {
        let baseDirectory: String
        var vault = SettingsObject()
        if let data = FileManager.default.contents(atPath: configPath), let text = String(data: data, encoding: .utf8) {
            baseDirectory = URL(fileURLWithPath: configPath).deletingLastPathComponent().path
            let document: YAMLDocument
            switch YAMLDocument.parse(text, file: configPath) {
            case .success(let parsed): document = parsed
            case .failure(let diagnostic): throw ConfigError(diagnostics: [diagnostic])
            }
            var validator = SchemaValidator(document: document, environment: environment)
            if case .mapping(let root)? = document.root, let node = root["vault"] {
                vault = validator.object(node, schema: HostSchema.vault, path: "vault")
            } else {
                vault = validator.object(.mapping(.init([])), schema: HostSchema.vault, path: "vault")
            }
            let errors = validator.diagnostics.filter { $0.severity == .error }
            guard errors.isEmpty else { throw ConfigError(diagnostics: errors) }
        } else {
            baseDirectory = FileManager.default.currentDirectoryPath
            var validator = SchemaValidator(document: YAMLDocument(file: configPath, text: "", root: nil, duplicates: [:]), environment: environment)
            vault = validator.object(.mapping(.init([])), schema: HostSchema.vault, path: "vault")
        }
        let path = vault["path"]?.stringValue ?? ".switchboard/vault.json"
        return CredentialVault.Configuration(
            vaultPath: CredentialVault.resolve(path, against: baseDirectory),
            masterKey: vault["master_key"]?.secretValue, baseDirectory: baseDirectory, environment: environment)
    }
}
