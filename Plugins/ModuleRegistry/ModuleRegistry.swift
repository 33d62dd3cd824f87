import Foundation
import PackagePlugin

/// Generates `BuiltInModules.swift` for the target it is applied to (the `switchboard` executable):
/// every dependency target named `…Connector` is imported, and every public `ConnectorModule` type
/// declared in its sources is registered. Adding a module is adding the dependency; no host source
/// lists modules by hand.
@main
struct ModuleRegistry: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltInModules.swift")
        var arguments = ["registry", "--output", output.path]
        var inputs: [URL] = []
        for dependency in target.dependencies {
            guard case .target(let module) = dependency, module.name.hasSuffix("Connector"),
                  let sources = module as? SourceModuleTarget else { continue }
            arguments += ["--module-target", module.name]
            for file in sources.sourceFiles(withSuffix: "swift") {
                arguments += ["--source", "\(module.name)=\(file.url.path)"]
                inputs.append(file.url)
            }
        }
        return [
            .buildCommand(
                displayName: "Generating the registry of built-in connector modules",
                executable: try context.tool(named: "switchboard-scaffold").url,
                arguments: arguments, inputFiles: inputs, outputFiles: [output])
        ]
    }
}
