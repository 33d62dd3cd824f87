/// A kind of connector the host can run, registered under a unique name (`module: salesforce`).
///
/// A module is a factory: it describes the settings it accepts (so `switchboard validate` can check
/// them and `switchboard modules` can document them) and makes one ``Connector`` per configured
/// instance. It receives everything shared through the ``ConnectorContext`` and must not create its
/// own copies of the host's services.
public protocol ConnectorModule: Sendable {
    /// The name used in `connectors.yaml` (`module: NAME`). Lowercase letters, digits and dashes.
    var name: String { get }

    /// One line that says what the module connects to.
    var summary: String { get }

    /// The features this module can provide. A connector instance enables a subset of them.
    var features: [Feature] { get }

    /// The settings a connector instance of this module accepts, besides `module` and `features`.
    var settings: SettingsSchema { get }

    /// Makes a connector for one configured instance.
    ///
    /// - Parameters:
    ///   - configuration: the instance's validated settings and enabled features.
    ///   - context: the host's shared services, scoped to this instance.
    /// - Throws: ``ConnectorError`` when the settings cannot be used. The host marks the connector
    ///   failed and keeps running the others.
    func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector

    /// The tokens a connector of this module signs, for `switchboard jwt mint --connector NAME --flow F`.
    /// None by default.
    func tokenFlows(for configuration: ConnectorConfiguration) -> [TokenFlow]

    /// What the connector needs from the built-in sandbox org, when its settings name it; nil when
    /// it talks to a real system (the default).
    func sandboxWiring(for configuration: ConnectorConfiguration) -> SandboxWiring?
}

extension ConnectorModule {
    public func tokenFlows(for configuration: ConnectorConfiguration) -> [TokenFlow] { [] }
    public func sandboxWiring(for configuration: ConnectorConfiguration) -> SandboxWiring? { nil }
}
