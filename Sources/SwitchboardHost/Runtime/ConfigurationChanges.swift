import ConnectorKit
import Foundation

/// What a reload of `connectors.yaml` changes, by connector name: which connectors start, stop,
/// restart (with the setting paths that differ — never their values) and stay untouched.
/// ``hostLevelChanges(_:_:)`` names the host-level settings that differ, which cannot change while
/// the host runs.
public struct ConfigurationChanges: Sendable, Hashable {
    /// A connector whose settings, features, module or module declaration changed.
    public struct Changed: Sendable, Hashable, CustomStringConvertible {
        /// The connector.
        public var name: String
        /// The paths that differ (`schedule.users_every`, `features`, `modules.payroll`).
        public var fields: [String]

        public var description: String { "\(name) (\(fields.joined(separator: ", ")))" }
    }

    /// Connectors new in the file.
    public var added: [String] = []
    /// Connectors no longer in the file (or no longer selected).
    public var removed: [String] = []
    /// Connectors that restart with their new settings.
    public var changed: [Changed] = []
    /// Connectors left running as they are.
    public var unchanged: [String] = []

    /// Whether anything about the connectors changes.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// The difference from the running configuration to a reloaded one. `old` and `new` are the
    /// connectors that run (already narrowed to the host's `--only` / `--features` selection).
    public init(from old: HostConfiguration, running oldConnectors: [ConnectorConfiguration],
                to new: HostConfiguration, running newConnectors: [ConnectorConfiguration]) {
        let oldByName = Dictionary(oldConnectors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(newConnectors.map(\.name))
        let oldModules = Dictionary(old.externalModules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newModules = Dictionary(new.externalModules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        removed = oldConnectors.map(\.name).filter { !newNames.contains($0) }
        for connector in newConnectors {
            guard let previous = oldByName[connector.name] else {
                added.append(connector.name)
                continue
            }
            var fields = Self.connectorChanges(previous, connector)
            if Self.withoutLocation(oldModules[connector.module]) != Self.withoutLocation(newModules[connector.module]) {
                fields.append("modules.\(connector.module)")
            }
            if fields.isEmpty { unchanged.append(connector.name) } else { changed.append(Changed(name: connector.name, fields: fields)) }
        }
    }

    /// The settings of `host:` and `vault:` that differ (`host.listen`, `vault.path`): a restart is
    /// needed to apply them.
    public static func hostLevelChanges(_ old: HostConfiguration, _ new: HostConfiguration) -> [String] {
        var fields: [String] = []
        if old.listen != new.listen { fields.append("host.listen") }
        if old.jwksListen != new.jwksListen { fields.append("host.jwks_listen") }
        if old.apiToken != new.apiToken { fields.append("host.api_token") }
        if store(old) != store(new) { fields.append("host.store") }
        if old.storePassword != new.storePassword { fields.append("host.store_password") }
        if old.shutdownTimeout != new.shutdownTimeout { fields.append("host.shutdown_timeout") }
        let (a, b) = (old.apiLimits, new.apiLimits)
        if a.maxConnections != b.maxConnections { fields.append("host.max_connections") }
        if a.maxEventStreams != b.maxEventStreams { fields.append("host.max_event_streams") }
        if a.headerTimeout != b.headerTimeout { fields.append("host.header_timeout") }
        if a.idleTimeout != b.idleTimeout { fields.append("host.idle_timeout") }
        if old.vault.vaultPath.map(standardized) != new.vault.vaultPath.map(standardized) { fields.append("vault.path") }
        if old.vault.masterKey != new.vault.masterKey { fields.append("vault.master_key") }
        return fields
    }

    /// The store, an SQLite path standardized against the file's folder (`./state.db` is `state.db`).
    private static func store(_ configuration: HostConfiguration) -> String {
        guard case .sqlite(let path) = configuration.store else { return configuration.store.description }
        return "sqlite:" + standardized(CredentialVault.resolve(path, against: configuration.baseDirectory))
    }

    private static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// The paths where two declarations of one connector differ (where it is written does not count).
    static func connectorChanges(_ old: ConnectorConfiguration, _ new: ConnectorConfiguration) -> [String] {
        var fields: [String] = []
        if old.module != new.module { fields.append("module") }
        if old.features != new.features { fields.append("features") }
        fields += settingChanges(.object(old.settings), .object(new.settings), path: "")
        return fields
    }

    private static func settingChanges(_ old: SettingValue?, _ new: SettingValue?, path: String) -> [String] {
        guard old != new else { return [] }
        guard case .object(let a)? = old, case .object(let b)? = new else { return [path] }
        var keys = a.keys
        for key in b.keys where !keys.contains(key) { keys.append(key) }
        return keys.flatMap { settingChanges(a[$0], b[$0], path: path.isEmpty ? $0 : "\(path).\($0)") }
    }

    private static func withoutLocation(_ declaration: ExternalModuleDeclaration?) -> ExternalModuleDeclaration? {
        guard var declaration else { return nil }
        declaration.location = nil
        return declaration
    }
}
