import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import Metrics
import Prometheus
import SwitchboardHost

/// `switchboard run`: runs the configured connectors until SIGINT or SIGTERM.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the host with the connectors in connectors.yaml.",
        discussion: """
            Runs every configured connector, or only those you select, as one service group. A connector that fails is restarted with capped exponential backoff (1 s, 2 s, 4 s … 60 s) while the others keep running. SIGINT (Ctrl-C) or SIGTERM shuts everything down gracefully within host.shutdown_timeout (default 10s); the exit status is then 0.

            Examples:
              switchboard run
              switchboard run --features ticketing,live-agent
              switchboard run --only acme-salesforce --log-format json --log-level debug
            """
    )

    @OptionGroup var configOption: ConfigOption
    @OptionGroup var logging: LoggingOptions

    @Option(help: ArgumentHelp("Run only these features (comma-separated), on every connector that enables them.", valueName: "f1,f2"))
    var features: String?

    @Option(help: ArgumentHelp("Run only these connectors (comma-separated names from connectors.yaml).", valueName: "name,…"))
    var only: String?

    func run() async throws {
        let configuration: HostConfiguration
        do {
            configuration = try ConfigLoader(registry: BuiltInModules.registry).load(path: configOption.config)
        } catch {
            Terminal.error(error.description)
            Terminal.error("switchboard did not start: fix the errors above (`switchboard validate` checks again).")
            throw ExitCode.failure
        }
        logging.bootstrap()
        let logger = Logger(label: "switchboard")
        FileLimit.raiseToHardLimit(logger: logger)
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
        for warning in configuration.warnings { logger.warning("\(warning.description)") }

        let featureNames: [String]? = commaList(features)
        let connectorNames: [String]? = commaList(only)
        let selection = ConnectorSelection(
            features: featureNames.map { names in Swift.Set(names.map { Feature($0) }) },
            connectors: connectorNames.map { Swift.Set($0) })
        let store: SQLiteStore
        let lock: StoreRunLock
        do {
            guard let acquired = try StoreRunLock.acquire(storePath: StoreLocation.path(configuration)) else {
                logger.critical("another switchboard host runs on this store; stop it first", metadata: ["store": .string(StoreLocation.path(configuration))])
                throw ExitCode.failure
            }
            lock = acquired
            store = try StoreLocation.open(configuration)
        } catch let error as ExitCode {
            throw error
        } catch {
            logger.critical("cannot start", metadata: ["error": .string(String(describing: error))])
            throw ExitCode.failure
        }
        do {
            try await SandboxProvisioner.withSandbox(for: configuration, logger: logger) { configuration in
                let runtime = try HostRuntime(configuration: configuration, registry: BuiltInModules.registry, selection: selection,
                                              storage: .sqlite(store), logger: logger, metrics: metrics)
                _ = try runtime.resolveAPIToken()
                try await runtime.run()
            }
        } catch {
            logger.critical("cannot start", metadata: ["error": .string(String(describing: error))])
            throw ExitCode.failure
        }
        withExtendedLifetime(lock) {}
        logger.notice("switchboard stopped")
    }
}
