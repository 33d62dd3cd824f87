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
            Runs every configured connector, or only those you select, as one service group. A failing feature (a sync, the ticket watcher) is retried on its own while the connector's other features serve; a connector whose run fails as a whole is restarted with capped exponential backoff (1 s, 2 s, 4 s … 60 s) while the others keep running. SIGINT (Ctrl-C) or SIGTERM shuts everything down gracefully within host.shutdown_timeout (default 10s); the exit status is then 0.

            --listen (or the SWITCHBOARD_LISTEN environment variable) replaces host.listen for this run, whatever the file says; beyond loopback host.api_token is still required.

            SIGHUP (`kill -HUP PID`, or `switchboard reload`) reloads connectors.yaml without a restart: new connectors start, removed ones end their open handoffs and stop, changed ones restart with their new settings, unchanged ones are not touched. An invalid file, or a change to host: or vault: settings, changes nothing (the errors are logged; `switchboard reload` prints them).

            Examples:
              switchboard run
              switchboard run --features ticketing,live-agent
              switchboard run --only acme-salesforce --log-format json --log-level debug
              switchboard run --listen 127.0.0.1:9000
            """
    )

    @OptionGroup var configOption: ConfigOption
    @OptionGroup var logging: LoggingOptions

    @Option(help: ArgumentHelp("Run only these features (comma-separated), on every connector that enables them.", valueName: "f1,f2"))
    var features: String?

    @Option(help: ArgumentHelp("Run only these connectors (comma-separated names from connectors.yaml).", valueName: "name,…"))
    var only: String?

    @Option(help: ArgumentHelp("Listen here instead of host.listen (also: SWITCHBOARD_LISTEN).", valueName: "host:port"))
    var listen: String?

    /// The listen override: `--listen`, else `SWITCHBOARD_LISTEN`.
    var listenOverride: String? { listen ?? ProcessInfo.processInfo.environment["SWITCHBOARD_LISTEN"].flatMap { $0.isEmpty ? nil : $0 } }

    func validate() throws {
        if let listenOverride, ListenAddress(parsing: listenOverride) == nil {
            throw ValidationError("--listen / SWITCHBOARD_LISTEN: '\(listenOverride)' is not an address: expected HOST:PORT, like 127.0.0.1:8710")
        }
    }

    func run() async throws {
        // A SIGHUP before the reloader listens is dropped, not fatal (its default action ends the process).
        signal(SIGHUP, SIG_IGN)
        var configuration: HostConfiguration
        let registry: ModuleRegistry
        do {
            (configuration, registry) = try await ConfigurationLoading.load(configOption.config)
            if let listenOverride, let address = ListenAddress(parsing: listenOverride) { try configuration.overrideListen(address) }
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
        let loaded = configuration
        let claim: StoreLocation.Claim
        do {
            claim = try StoreLocation.claim(configuration)
        } catch {
            logger.critical("cannot start", metadata: ["error": .string(String(describing: error))])
            throw ExitCode.failure
        }
        if case .heldElsewhere = claim {
            logger.critical("another switchboard host runs on this store; stop it first", metadata: ["store": .string(StoreLocation.display(configuration))])
            throw ExitCode.failure
        }
        let hostLock: StoreRunLock
        do {
            hostLock = try StoreLocation.hostLock(configuration, claim: claim)
        } catch {
            logger.critical("cannot start", metadata: ["error": .string(String(describing: error))])
            throw ExitCode.failure
        }
        defer { StoreLocation.removeHostFiles(hostLock, claim: claim) }
        let (path, override) = (configOption.config, listenOverride.flatMap(ListenAddress.init(parsing:)))
        do {
            try await StoreLocation.withStore(loaded, logger: logger) { store in
                try await SandboxProvisioner.withSandbox(for: loaded, registry: registry, logger: logger) { configuration, rewiring in
                    let reloading = ConfigurationSource(outcomeFile: ReloadOutcome.path(forLock: hostLock.path), load: {
                        var (configuration, registry) = try await ConfigurationLoading.load(path)
                        if let override { try configuration.overrideListen(override) }
                        return (configuration, registry)
                    }, prepare: { configuration, registry in try rewiring.rewire(configuration, registry: registry) })
                    let runtime = try HostRuntime(configuration: configuration, registry: registry, selection: selection,
                                                  storage: .host(store), logger: logger, metrics: metrics, reloading: reloading)
                    _ = try runtime.resolveAPIToken()
                    hostLock.recordHolder()
                    try await runtime.run()
                }
            }
        } catch {
            logger.critical("cannot start", metadata: ["error": .string(String(describing: error))])
            throw ExitCode.failure
        }
        withExtendedLifetime((claim, hostLock)) {}
        logger.notice("switchboard stopped")
    }
}
