import ConnectorKit
import Foundation
import Logging
import SwitchboardConfig

/// Runs a connector module in a test without the host: the connector's configuration comes from a
/// YAML snippet validated exactly as `switchboard validate` does, and its ``ConnectorContext`` is
/// built on an in-memory ``RecordingStore``, a vault that reads the harness's environment and files,
/// a ``LogCapture`` and an HTTP transport the harness owns and shuts down.
///
/// ```swift
/// try await ConnectorHarness.with(ZendeskModule(), yaml: """
///     helpdesk:
///       module: zendesk
///       features: [ticketing]
///       api_token: env:ZENDESK_TOKEN
///     """, environment: ["ZENDESK_TOKEN": "test-token"]) { harness in
///     let connector = try harness.makeConnector()
///     #expect(await connector.check().status == .healthy)
/// }
/// ```
///
/// A module that makes no network calls never touches the transport; nothing needs to be set up for it.
public struct ConnectorHarness: Sendable {
    /// The module under test.
    public let module: any ConnectorModule
    /// The connector's validated configuration.
    public let configuration: ConnectorConfiguration
    /// What `env:` references and `${VAR}` read.
    public let environment: [String: String]
    /// The folder `file:` references and `path` settings resolve against.
    public let baseDirectory: String
    /// Everything the connector logged, unredacted: a secret found here is the module's own leak.
    public let logs: LogCapture
    /// The transport every context of this harness shares.
    public let transport: HTTPTransport
    /// The clock handed to connectors.
    public let clock: ConnectorClock

    /// Validates `yaml` (a `connectors:` mapping or a whole file), makes a harness for one connector in
    /// it (`connector`, or the first that uses `module`), runs `body` and shuts the transport down.
    ///
    /// - Throws: `ConfigError` when the snippet does not validate, with every problem at its line.
    public static func with<T: Sendable>(
        _ module: any ConnectorModule, yaml: String, connector: String? = nil, environment: [String: String] = [:],
        baseDirectory: String = FileManager.default.currentDirectoryPath, transport: HTTPTransport.Configuration = .init(),
        clock: ConnectorClock = .system, otherModules: [any ConnectorModule] = [], _ body: (ConnectorHarness) async throws -> T
    ) async throws -> T {
        let configuration = try configuration(of: module, yaml: yaml, connector: connector, environment: environment, baseDirectory: baseDirectory,
                                              otherModules: otherModules)
        let logs = LogCapture()
        let http = HTTPTransport(configuration: transport, logger: logs.makeLogger(label: "switchboard.http"))
        let harness = ConnectorHarness(module: module, configuration: configuration, environment: environment, baseDirectory: baseDirectory,
                                       logs: logs, transport: http, clock: clock)
        let result: T
        do {
            result = try await body(harness)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return result
    }

    /// The validated configuration of one connector in `yaml`.
    ///
    /// `otherModules` are the modules the YAML's other connectors name (a whole connectors.yaml).
    public static func configuration(
        of module: any ConnectorModule, yaml: String, connector: String? = nil, environment: [String: String] = [:],
        baseDirectory: String = FileManager.default.currentDirectoryPath, otherModules: [any ConnectorModule] = []
    ) throws -> ConnectorConfiguration {
        let all = try ConnectorDeclarations.read(yaml, modules: [module] + otherModules, file: "snippet.yaml", baseDirectory: baseDirectory,
                                                 environment: environment)
        let chosen = connector.map { name in all.first { $0.name == name } } ?? all.first { $0.module == module.name }
        guard let chosen else {
            throw ConnectorError.misconfigured("the YAML declares no connector " + (connector.map { "named '\($0)'" } ?? "of module '\(module.name)'"))
        }
        return chosen
    }

    /// A context for the connector on `store`, with this harness's vault, transport, logs and clock.
    public func context(store: RecordingStore) -> ConnectorContext {
        let vault = CredentialVault(
            configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: baseDirectory, environment: environment),
            redactor: SecretRedactor())
        return ConnectorContext(
            connectorName: configuration.name, vault: vault, http: transport, store: store, sink: store, events: store, users: store,
            handoffs: store, logger: logs.makeLogger(label: "switchboard.connector"), clock: clock)
    }

    /// Makes the connector on `store` (a fresh one by default), as the host would.
    public func makeConnector(store: RecordingStore = RecordingStore()) throws -> any Connector {
        try module.makeConnector(configuration: configuration, context: context(store: store))
    }
}
