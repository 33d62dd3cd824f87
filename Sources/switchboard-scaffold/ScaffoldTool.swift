import ArgumentParser
import ConnectorScaffold
import Foundation

/// The tool behind the `new-connector` command plugin and the `ModuleRegistry` build plugin.
@main
struct ScaffoldTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-scaffold",
        abstract: "Scaffolds connector modules and generates the module registry (run through the package plugins).",
        subcommands: [NewConnectorCommand.self, RegistryCommand.self])
}

/// `new-connector NAME --features …`
struct NewConnectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-connector",
        abstract: "Scaffold a connector module: its target, its conformance test target and its Package.swift line.",
        discussion: """
            Run it through SwiftPM from the package folder:

              swift package --allow-writing-to-package-directory new-connector zendesk --features ticketing,knowledge

            It creates Sources/ZendeskConnector (module, settings, connection, one file per feature whose
            operations throw "not implemented yet" until you write them), Tests/ZendeskConnectorTests (the
            conformance kit against the module's example connector) and adds .module("ZendeskConnector") to
            Package.swift's connectorModules, which builds it into switchboard. Then:

              swift build && swift test --filter ZendeskConnectorTests && swift run switchboard modules

            Nothing is written when it refuses (a taken name, an unknown feature, an existing folder), and a
            failure while writing removes what was written.
            """)

    @Argument(help: "The module's name, as `module:` in connectors.yaml: lowercase letters and digits in dash-separated words (zendesk, hr-export).")
    var name: String

    @Option(help: "Comma-separated features to scaffold: ticketing, user-ingestion, knowledge, live-agent.")
    var features: String

    @Flag(help: "List what would be written, and write nothing.")
    var dryRun = false

    @Flag(help: "Make it a module that runs as its own process (an executable serving it with ModuleServer), declared under modules: instead of built in.")
    var external = false

    @Option(name: .customLong("add-to-config"), help: ArgumentHelp("Also append the example connector to this connectors.yaml (relative to the package).", valueName: "path"))
    var addToConfig: String?

    @Option(help: ArgumentHelp("The package to scaffold into (the plugin passes it).", valueName: "path"))
    var packageDirectory: String = FileManager.default.currentDirectoryPath

    func run() throws {
        do {
            try scaffold()
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(error.code == .writeFailed ? 1 : 2)
        }
    }

    private func scaffold() throws(ScaffoldError) {
        do {
            let plan = try Scaffolder.plan(name: try ConnectorName(name), features: try ScaffoldFeature.parse(features),
                                           packageDirectory: packageDirectory, addToConfig: addToConfig, external: external)
            if dryRun {
                print("new-connector --dry-run: would write (nothing written)")
                plan.summary.forEach { print("  " + $0) }
            } else {
                try Scaffolder.apply(plan, packageDirectory: packageDirectory)
                print("new-connector: module '\(plan.name.module)' scaffolded")
                plan.summary.forEach { print("  " + $0) }
            }
            print("\nThe example connector, for connectors.yaml under `connectors:`\(plan.config == nil ? "" : " (appended)"):\n")
            print(plan.snippet)
            let steps = [
                ("swift build", "builds it into switchboard"),
                ("swift test --filter \(plan.name.testTarget)", "the conformance kit (TODOs show as not implemented)"),
                plan.external
                    ? ("swift run switchboard modules", "lists '\(plan.name.module)' once the snippet's modules: entry is in connectors.yaml")
                    : ("swift run switchboard modules", "lists '\(plan.name.module)' with its settings"),
            ]
            let width = steps.map(\.0.count).max() ?? 0
            print("Next:")
            for (command, purpose) in steps { print("  " + command.padding(toLength: width + 2, withPad: " ", startingAt: 0) + "# " + purpose) }
            print("Write each feature in Sources/\(plan.name.target)/ (docs/connector-authoring.md).")
        }
    }
}

/// `registry --output FILE --module-target NAME --source NAME=PATH …` (the build plugin's command).
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "Generate BuiltInModules.swift from connector targets' sources.")

    @Option(help: "Where to write the generated source.")
    var output: String

    @Option(name: .customLong("module-target"), help: "A connector target, in registration order.")
    var moduleTargets: [String] = []

    @Option(name: .customLong("source"), help: "TARGET=PATH of a Swift source of a connector target.")
    var sources: [String] = []

    func run() throws {
        var byTarget: [String: [(path: String, text: String)]] = [:]
        for entry in sources {
            guard let equals = entry.firstIndex(of: "=") else { throw ValidationError("--source takes TARGET=PATH, got \(entry)") }
            let target = String(entry[..<equals]), path = String(entry[entry.index(after: equals)...])
            byTarget[target, default: []].append((path, try String(contentsOfFile: path, encoding: .utf8)))
        }
        let text = try RegistrySource.generate(moduleTargets.map { RegistrySource.ModuleTarget(name: $0, sources: byTarget[$0] ?? []) })
        // Rewrite only on change, so an unchanged registry does not rebuild the executable.
        if (try? String(contentsOfFile: output, encoding: .utf8)) != text {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        }
    }
}
