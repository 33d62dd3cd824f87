import ArgumentParser
import ConnectorKit
import ConnectorKitTesting
import Foundation
import Logging
import SwitchboardHost

/// `switchboard modules test CONNECTOR`: the conformance kit against one connector of connectors.yaml —
/// built in or external, so a module written in Python gets the checks a Swift one gets.
struct ModulesTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the conformance kit against a connector declared in connectors.yaml.",
        discussion: """
            Checks the connector's module the way ConnectorKitTesting's ConnectorConformance does in a Swift test: its settings schema, its example (the connector's own settings), its feature interfaces, that no secret appears in its logs, errors or health details, check() and shutdown bounds, that syncs move the checkpoint only with their records and change nothing on a second run, and one ticket per idempotency key. Syncs and tickets run against the real system the connector names (or the sandbox), writing into a throwaway in-memory store, never into the host's.

            Examples:
              switchboard modules test hr
              switchboard modules test acme-salesforce --requester ada.allen.112@acme.example
            """)

    @OptionGroup var configOption: ConfigOption

    @Argument(help: "The connector, as named in connectors.yaml.")
    var connector: String

    @Option(help: "The requester e-mail of the ticket the idempotency check creates twice (one your system knows).")
    var requester: String?

    func run() async throws {
        let logger = Logger(label: "switchboard.modules")
        let (configuration, registry): (HostConfiguration, ModuleRegistry)
        do {
            (configuration, registry) = try await ConfigurationLoading.load(configOption.config)
        } catch {
            Terminal.error(error.description)
            throw ExitCode.failure
        }
        guard let declared = configuration.connectors.first(where: { $0.name == connector }), let module = registry.module(named: declared.module) else {
            Terminal.error("no connector named \(connector) in \(configOption.config)")
            throw ExitCode.failure
        }
        let text = try String(contentsOfFile: configOption.config, encoding: .utf8)
        do {
            let report = try await SandboxProvisioner.withSandbox(for: configuration, registry: registry, logger: logger, hostServesJWKS: false) { running in
                var options = ConnectorConformance.Options()
                options.connector = connector
                options.baseDirectory = configuration.baseDirectory
                options.environment = ProcessInfo.processInfo.environment
                options.otherModules = registry.modules.filter { $0.name != module.name }
                if let requester { options.sampleTicket.requesterEmail = requester }
                // A sandbox connector is checked against the running sandbox: its settings as rewritten.
                let settings = running.connectors.first { $0.name == self.connector }?.settings
                return try await ConnectorConformance.check(settings.map { _ in SandboxedModule(module: module, configuration: running) } ?? module,
                                                            config: text, options: options)
            }
            print(report)
        } catch let failure as ConformanceFailure {
            print(failure.report)
            throw ExitCode.failure
        } catch {
            Terminal.error("switchboard modules test \(connector): \(error)")
            throw ExitCode.failure
        }
    }
}

/// A module whose connectors get the settings a running sandbox rewrote (the file says `sandbox`).
private struct SandboxedModule: ConnectorModule {
    let module: any ConnectorModule
    let configuration: HostConfiguration

    var name: String { module.name }
    var summary: String { module.summary }
    var features: [Feature] { module.features }
    var settings: SettingsSchema { module.settings }

    func makeConnector(configuration declared: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        var running = declared
        if let rewritten = configuration.connectors.first(where: { $0.name == declared.name }) { running.settings = rewritten.settings }
        return try module.makeConnector(configuration: running, context: context)
    }
}
