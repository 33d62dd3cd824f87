import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import SwitchboardHost

/// `switchboard sync CONNECTOR`: runs a connector's syncs now, with progress.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync a connector's data into the store now.",
        discussion: """
            Runs the connector's enabled sync features once (or only --feature), incrementally from the stored checkpoint, or from scratch with --full (which also removes records that vanished upstream). Records are committed together with their checkpoint, so an interrupted incremental sync resumes where it stopped; an interrupted --full sync of users resumes at its last commit on the next --full run (or the host's next scheduled full run), and still removes what vanished from the whole read. A --full sync of knowledge reads every article again (one query per language; nothing to resume). A finished --full users sync counts as the host's scheduled full read (user-ingestion.full_every). A terminal shows a progress bar (records, pages, rate, ETA); otherwise a progress line per commit is printed.

            Examples:
              switchboard sync acme-salesforce
              switchboard sync acme-salesforce --feature user-ingestion --full
            """
    )

    @OptionGroup var configOption: ConfigOption
    @OptionGroup var logging: LoggingOptions

    @Argument(help: "The connector, as named in connectors.yaml.")
    var connector: String

    @Option(help: ArgumentHelp("Only this feature (user-ingestion, knowledge, or a sync feature of the module's own).", valueName: "feature"))
    var feature: String?

    @Flag(help: "Read everything and remove what vanished upstream, instead of reading changes since the checkpoint.")
    var full = false

    func run() async throws {
        let configuration: HostConfiguration
        let registry: ModuleRegistry
        do {
            (configuration, registry) = try await ConfigurationLoading.load(configOption.config)
        } catch {
            Terminal.error(error.description)
            throw ExitCode.failure
        }
        logging.bootstrap()
        let logger = Logger(label: "switchboard")
        guard let declared = configuration.connectors.first(where: { $0.name == connector }) else {
            Terminal.error("no connector named \(connector) in \(configuration.file) (connectors: \(configuration.connectors.map(\.name).joined(separator: ", ")))")
            throw ExitCode.failure
        }
        let wanted = feature.map { Feature($0) }
        if let wanted, !declared.isEnabled(wanted) {
            throw ValidationError("--feature: \(wanted) is not enabled on \(connector) (enabled: \(declared.features.map(\.rawValue).joined(separator: ", ")))")
        }
        let mode: SyncMode = full ? .full : .incremental
        let connectorName = connector
        do {
            try await StoreLocation.withStore(configuration, logger: logger) { store in
            try await SandboxProvisioner.withSandbox(for: configuration, registry: registry, logger: logger) { configuration in
                let runtime = try HostRuntime(configuration: configuration, registry: registry,
                                              selection: ConnectorSelection(features: nil, connectors: [connectorName]),
                                              storage: .host(store), logger: logger)
                try await runtime.withConnector(named: connectorName) { connector in
                    // The connector's syncs of its enabled features (built-in or its module's own).
                    let syncs = connector.syncs.filter { declared.isEnabled($0.feature) && (wanted == nil || $0.feature == wanted) }
                    guard !syncs.isEmpty else {
                        throw ValidationError(wanted.map { "--feature: \($0) does not sync" }
                            ?? "\(connectorName) enables no feature that syncs (like user-ingestion or knowledge)")
                    }
                    for sync in syncs {
                        let display = ProgressDisplay(label: sync.noun)
                        let started = ContinuousClock.now
                        let report = try await sync.run(mode) { display.update($0) }
                        display.finish(report, elapsed: ContinuousClock.now - started)
                    }
                }
            }
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            Terminal.error("switchboard sync \(connector): \(error)")
            throw ExitCode.failure
        }
    }
}
