import ArgumentParser
import Foundation
import Logging
import ConnectorKit
import SwitchboardHost

/// `switchboard modules`: what can go in connectors.yaml, and `modules test` to check a connector.
struct ModulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modules",
        abstract: "List the connector modules (built in and external), run the conformance kit on a connector, or serve a module out of process.",
        subcommands: [ModulesListCommand.self, ModulesTestCommand.self, ModulesServeCommand.self],
        defaultSubcommand: ModulesListCommand.self
    )
}

/// `switchboard modules [list]`.
struct ModulesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the connector modules in this build and those connectors.yaml declares, their features and settings.",
        discussion: "Each setting shows its type, whether it is required, its default, and what it does."
    )

    @Flag(help: "Also describe the host's own sections (host:, vault:).")
    var host = false

    @OptionGroup var configOption: ConfigOption

    func run() async throws {
        // The built-in modules, plus the external ones connectors.yaml declares (when there is one).
        var registry = CompiledModules.registry
        if FileManager.default.fileExists(atPath: configOption.config) {
            do {
                let (withExternal, problems) = try await ConfigurationLoading.registry(configOption.config)
                registry = withExternal
                for problem in problems { Terminal.error(problem.description) }
            } catch {
                Terminal.error(error.description)
            }
        }
        if registry.modules.isEmpty {
            print("No connector modules are built into this switchboard yet.")
        }
        for module in registry.modules {
            let external = (module as? ExternalModule).map { " [external: \($0.declaration.command) \($0.declaration.arguments.joined(separator: " "))]" } ?? ""
            print("\(module.name) — \(module.summary)\(external)")
            print("  features: \(module.features.map(\.rawValue).joined(separator: ", "))")
            print("  settings (besides module and features):")
            print(Self.describe(module.settings, indent: "    "))
            print("")
        }
        if host {
            print("host:")
            print(Self.describe(HostSchema.host, indent: "  "))
            print("vault:")
            print(Self.describe(HostSchema.vault, indent: "  "))
        }
    }

    static func describe(_ schema: SettingsSchema, indent: String) -> String {
        if schema.fields.isEmpty { return indent + "(none)" }
        var lines: [String] = []
        for field in schema.fields {
            var line = "\(indent)\(field.name): \(field.type)"
            if case .object = field.type { line = "\(indent)\(field.name): mapping" }
            if field.isRequired { line += ", required" }
            if let value = field.defaultValue { line += ", default \(value)" }
            if let feature = field.feature { line += ", for \(feature)" }
            line += " — \(field.summary)"
            lines.append(line)
            if case .object(let nested) = field.type { lines.append(describe(nested, indent: indent + "  ")) }
            if case .list(.object(let nested)) = field.type { lines.append(describe(nested, indent: indent + "  ")) }
        }
        return lines.joined(separator: "\n")
    }
}
