import ConnectorKit
import Foundation

/// Reads connector declarations from YAML and validates them against their modules' schemas, exactly
/// as `switchboard validate` does for the `connectors:` section of `connectors.yaml`.
///
/// The text is either a whole configuration file (its `connectors:` mapping is read) or just the
/// mapping of connector names to their settings, as the `new-connector` scaffolder prints it:
///
/// ```yaml
/// helpdesk:
///   module: zendesk
///   features: [ticketing]
///   api_token: env:ZENDESK_TOKEN
/// ```
public enum ConnectorDeclarations {
    /// The validated connectors, in the order written.
    ///
    /// - Parameters:
    ///   - text: YAML text.
    ///   - modules: the modules the declarations may name.
    ///   - file: the name shown in diagnostics.
    ///   - baseDirectory: the folder `path` settings resolve against.
    ///   - environment: what `${VAR}` interpolation reads.
    /// - Throws: ``ConfigError`` with every problem, each at its line and field.
    public static func read(
        _ text: String, modules: [any ConnectorModule], file: String = "connectors.yaml",
        baseDirectory: String = FileManager.default.currentDirectoryPath, environment: [String: String] = [:]
    ) throws(ConfigError) -> [ConnectorConfiguration] {
        let document: YAMLDocument
        switch YAMLDocument.parse(text, file: file) {
        case .success(let parsed): document = parsed
        case .failure(let diagnostic): throw ConfigError(diagnostics: [diagnostic])
        }
        guard let root = document.root, !SchemaValidator.isNull(root) else {
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: file, location: nil, path: nil, message: "no connectors are declared")])
        }
        var validator = SchemaValidator(document: document, environment: environment)
        validator.baseDirectory = baseDirectory
        var node = root
        if case .mapping(let mapping) = root, let connectors = mapping["connectors"] { node = connectors }
        let connectors = ConnectorsSection(registry: ModuleRegistry(modules)).connectors(node, validator: &validator)
        guard !validator.diagnostics.contains(where: { $0.severity == .error }) else {
            throw ConfigError(diagnostics: validator.diagnostics)
        }
        guard !connectors.isEmpty else {
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: file, location: nil, path: "connectors", message: "no connectors are declared")])
        }
        return connectors
    }
}
