import ConnectorKit
import Foundation
import Logging
import SwitchboardHost

/// Loads connectors.yaml with every module it can name: the compiled-in ones plus the external
/// modules under `modules:`, each started once for its handshake (`initialize`) so its connectors are
/// validated against the schema it reports — a changed module is seen at once, at the price of one
/// process start per module per command.
enum ConfigurationLoading {
    static func load(_ path: String, checksSecrets: Bool = true, logger: Logger = Logger(label: "switchboard.modules")) async throws(ConfigError)
        -> (HostConfiguration, ModuleRegistry)
    {
        let (registry, diagnostics) = try await registry(path, logger: logger)
        let configuration: HostConfiguration
        do {
            configuration = try ConfigLoader(registry: registry, checksSecrets: checksSecrets).load(path: path)
        } catch {
            throw ConfigError(diagnostics: diagnostics + error.diagnostics)
        }
        guard diagnostics.isEmpty else { throw ConfigError(diagnostics: diagnostics) }
        return (configuration, registry)
    }

    /// The compiled-in modules plus each external module `path` declares that starts and describes
    /// itself; a module that does not is a diagnostic at its `modules:` line.
    static func registry(_ path: String, logger: Logger = Logger(label: "switchboard.modules")) async throws(ConfigError)
        -> (ModuleRegistry, [ConfigDiagnostic])
    {
        var registry = CompiledModules.registry
        var diagnostics: [ConfigDiagnostic] = []
        for declaration in try ConfigLoader(registry: registry, checksSecrets: false).externalModules(path: path) {
            do {
                try registry.register(try await ExternalModule.describe(declaration, logger: logger))
            } catch {
                diagnostics.append(ConfigDiagnostic(file: path, location: declaration.location, path: "modules.\(declaration.name)",
                                                    message: "\(error)"))
            }
        }
        return (registry, diagnostics)
    }
}
