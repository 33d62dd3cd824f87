import Foundation
import ConnectorKit
import Prometheus
import Logging
import ServiceLifecycle
import UnixSignals

/// The stores the host hands to connectors through their contexts.
public struct HostStorage: Sendable {
    /// Checkpoints and module state.
    public var state: any StateStore
    /// Synced records.
    public var records: any RecordSink
    /// The event log.
    public var events: any EventSink
    /// The synced people, by email.
    public var users: any UserDirectory = EmptyUserDirectory()
    /// Live-agent handoffs.
    public var handoffs: any HandoffStore
    /// Leases on work that runs on one host at a time (a store shared by several hosts keeps them).
    public var leases: any LeaseStore = SingleHostLeases()
    /// The host's store, when one backs them all: the host API reads users, articles and events
    /// from it (without it the API does not run).
    public var store: (any HostStore)?

    /// Creates storage from its parts, every one named.
    public init(state: any StateStore, records: any RecordSink, events: any EventSink, handoffs: any HandoffStore) {
        self.state = state
        self.records = records
        self.events = events
        self.handoffs = handoffs
    }

    /// One host store (SQLite or PostgreSQL) serving as all of them and backing the host API.
    public static func host(_ store: any HostStore) -> HostStorage {
        var storage = HostStorage(state: store, records: store, events: store, handoffs: store)
        storage.users = store
        storage.store = store
        if let leases = store as? any LeaseStore { storage.leases = leases }
        return storage
    }

    /// The embedded SQLite store (``host(_:)``).
    public static func sqlite(_ store: SQLiteStore) -> HostStorage { host(store) }

    /// Storage in memory (nothing survives a restart).
    public static func memory() -> HostStorage {
        let store = MemoryStore()
        var storage = HostStorage(state: store, records: store, events: store, handoffs: store)
        storage.users = store
        return storage
    }
}

/// The host at run time: the selected connectors, each under a ``ConnectorSupervisor``, in one
/// swift-service-lifecycle `ServiceGroup` that shuts down gracefully on SIGINT/SIGTERM within
/// `host.shutdown_timeout`.
public struct HostRuntime: Sendable, CustomStringConvertible {
    /// The validated configuration.
    public let configuration: HostConfiguration
    /// The connectors that run at start-up, narrowed to the selected features (a reload changes
    /// the running set: ``board`` shows it).
    public let connectors: [ConnectorConfiguration]
    /// Every running connector's state.
    public let board = ConnectorStatusBoard()
    /// The shared credential vault.
    public let vault: CredentialVault
    /// The shared JWT signer.
    public let signer: JWTSigner

    let registry: ModuleRegistry
    let storage: HostStorage
    /// The `--only` / `--features` narrowing, applied again to a reloaded configuration.
    let selection: ConnectorSelection
    /// How a reload (SIGHUP) reads the configuration again; nil: the host does not reload.
    let reloading: ConfigurationSource?
    /// This process among the hosts sharing a store: the holder of its leases (host name and pid,
    /// unique while the process lives).
    public let hostID = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    /// Where `/metrics` reads from (the registry the process bootstrapped swift-metrics with).
    let metrics: PrometheusCollectorRegistry?
    let logger: Logger
    let backoff: RestartBackoff
    let redactor: SecretRedactor

    /// Prepares the runtime.
    /// - Throws: ``ConnectorError`` when the selection names connectors or features the
    ///   configuration lacks, or a connector names a module the registry lacks.
    public init(
        configuration: HostConfiguration, registry: ModuleRegistry, selection: ConnectorSelection = .all,
        storage: HostStorage = .memory(), logger: Logger, backoff: RestartBackoff = RestartBackoff(),
        redactor: SecretRedactor = .shared, metrics: PrometheusCollectorRegistry? = nil, reloading: ConfigurationSource? = nil
    ) throws {
        self.selection = selection
        self.reloading = reloading
        self.metrics = metrics
        self.configuration = configuration
        self.registry = registry
        self.connectors = try selection.apply(to: configuration.connectors)
        for connector in connectors where registry.module(named: connector.module) == nil {
            throw ConnectorError.misconfigured("connector \(connector.name) uses module '\(connector.module)', which this build does not have")
        }
        self.storage = storage
        self.logger = logger
        self.backoff = backoff
        self.redactor = redactor
        self.vault = CredentialVault(configuration: configuration.vault, redactor: redactor)
        self.signer = JWTSigner(vault: vault)
        vault.registerEnvironmentSecrets(configuration.secretReferences)
        for secret in configuration.sensitiveValues { redactor.register(secret) }
        let generation = ConfigurationGeneration(generation: 1, loadedAt: Date(), file: configuration.file)
        board.setConfiguration(generation)
        generation.record()
    }

    public var description: String { "HostRuntime(\(configuration.file), \(connectors.count) connectors)" }

    /// Resolves the API token (so a bad reference fails at start-up, not at the first request).
    /// - Throws: ``VaultError`` for a reference that does not resolve; ``ConnectorError`` for a token
    ///   too short to guard a listener beyond loopback.
    public func resolveAPIToken() throws -> Secret? {
        let token: Secret?
        switch configuration.apiToken {
        case .reference(let reference): token = try vault.resolve(reference)
        case .literal(let secret):
            redactor.register(secret)
            token = secret
        case nil: token = nil
        }
        if let token, let problem = HostConfiguration.weakTokenProblem(token, listen: configuration.listen) {
            throw ConnectorError.misconfigured(problem, field: "host.api_token")
        }
        return token
    }

    /// The services to run: the connectors (a ``ConnectorFleet``: one supervisor each, changed by
    /// reloads), the API, the JWKS listener, the reloader when the host reloads, plus a host service
    /// that keeps the group alive when no connector is selected. `http` is the shared transport.
    /// - Throws: when the API token does not resolve (the API never runs open for want of it).
    public func services(http: HTTPTransport) throws -> [any Service] {
        var services: [any Service] = [HostPresenceService(runtime: self)]
        if let store = storage.store {
            let limits = configuration.apiLimits.fitted(toDescriptorLimit: APILimits.descriptorLimit)
            if limits.maxConnections < configuration.apiLimits.maxConnections {
                logger.notice("API connections limited by the open-file limit", metadata: [
                    "max_connections": "\(limits.maxConnections)", "max_event_streams": "\(limits.maxEventStreams)",
                    "open_file_limit": "\(APILimits.descriptorLimit)",
                ])
            }
            services.append(try HostAPI(address: configuration.listen, token: resolveAPIToken(), board: board, store: store, hostID: hostID,
                                        metrics: metrics, logger: logger, limits: limits))
            if let sqlite = store as? SQLiteStore { services.append(SearchListWarmer(store: sqlite, logger: logger)) }
        }
        if let jwks = configuration.jwksListen { services.append(JWKSListener(address: jwks, board: board, logger: logger)) }
        let fleet = ConnectorFleet(
            initial: connectors.map { ($0, registry.module(named: $0.module)!) }, board: board, backoff: backoff, redactor: redactor,
            shutdownTimeout: configuration.shutdownTimeout, logger: logger
        ) { [self] configuration in context(for: configuration, http: http) }
        services.append(fleet)
        if let reloading { services.append(ConfigReloader(source: reloading, runtime: self, fleet: fleet)) }
        return services
    }

    /// The shared services handed to one connector.
    func context(for configuration: ConnectorConfiguration, http: HTTPTransport) -> ConnectorContext {
        ConnectorContext(
            connectorName: configuration.name, vault: vault, signer: signer, http: http, store: storage.state, sink: storage.records,
            events: storage.events, users: storage.users, handoffs: storage.handoffs, logger: logger,
            leases: storage.leases, hostID: hostID)
    }

    /// Makes one connector outside the service group (for `switchboard sync`), hands it to `body`,
    /// and shuts the shared transport down afterwards.
    public func withConnector<T: Sendable>(named name: String, transport: HTTPTransport.Configuration = .init(),
                                           _ body: (any Connector) async throws -> T) async throws -> T {
        guard let configuration = connectors.first(where: { $0.name == name }) else {
            let known = connectors.map(\.name).joined(separator: ", ")
            throw ConnectorError.misconfigured("no connector named \(name) in \(self.configuration.file) (connectors: \(known.isEmpty ? "none" : known))")
        }
        let http = HTTPTransport(configuration: transport, logger: logger)
        let context = context(for: configuration, http: http)
        let connector: any Connector
        do {
            connector = try registry.module(named: configuration.module)!.makeConnector(configuration: configuration, context: context)
        } catch {
            try? await http.shutdown()
            throw error
        }
        // An external module's child, started on demand, is stopped (shutdown, SIGTERM, SIGKILL) before returning.
        func finish() async {
            if let external = connector as? ExternalConnector { await external.session.stop(grace: self.configuration.shutdownTimeout) }
            try? await http.shutdown()
        }
        do {
            let result = try await body(connector)
            await finish()
            return result
        } catch {
            await finish()
            throw error
        }
    }

    /// Runs until a graceful shutdown (a signal in `signals`, or the caller's task-local trigger).
    /// The shared HTTP transport lives exactly as long as this call and is always shut down.
    public func run(signals: [UnixSignal] = [.sigterm, .sigint], transport: HTTPTransport.Configuration = .init()) async throws {
        let http = HTTPTransport(configuration: transport, logger: logger)
        let services: [any Service]
        do {
            services = try self.services(http: http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: signals, cancellationSignals: [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let result: Result<Void, any Error>
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
            result = .success(())
        } catch {
            result = .failure(error)
        }
        try? await http.shutdown()
        try result.get()
    }
}

/// Logs that the host is up and what it runs, then waits for shutdown. It keeps the service group
/// running even when no connector is selected (the API server joins it in a later release).
struct HostPresenceService: Service, CustomStringConvertible {
    let runtime: HostRuntime

    var description: String { "host" }

    func run() async throws {
        let names = runtime.connectors.map { "\($0.name)[\($0.features.map(\.rawValue).joined(separator: ","))]" }
        runtime.logger.notice("switchboard host started", metadata: [
            "config": .string(runtime.configuration.file),
            "connectors": .string(names.isEmpty ? "none" : names.joined(separator: " ")),
            "store": .string(runtime.configuration.store.description),
        ])
        try? await gracefulShutdown()
        runtime.logger.notice("shutting down gracefully", metadata: ["timeout": .string(DurationFormat.format(runtime.configuration.shutdownTimeout))])
    }
}
