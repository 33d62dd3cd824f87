import ConnectorKit

/// The validated `connectors.yaml`: the host's own settings and every connector instance.
public struct HostConfiguration: Sendable {
    /// How the assistant authenticates to the host's API.
    public enum APIToken: Sendable, Hashable {
        /// Resolved through the vault at start-up.
        case reference(SecretReference)
        /// Given literally (usually via `${SWITCHBOARD_API_TOKEN}`).
        case literal(Secret)
    }

    /// The shortest API token accepted on a listener beyond loopback: 32 characters (as
    /// `openssl rand -base64 32` prints 44).
    public static let minimumTokenLength = 32

    /// Why an API token cannot guard a listener beyond loopback, or nil when it can.
    public static func weakTokenProblem(_ token: Secret, listen: ListenAddress) -> String? {
        guard !listen.isLoopback, token.byteCount < minimumTokenLength else { return nil }
        return "host.api_token is \(token.byteCount) characters; a listener beyond loopback needs at least \(minimumTokenLength) "
            + "(make one with: openssl rand -base64 32)"
    }

    /// Replaces `host.listen` (the `--listen` / `SWITCHBOARD_LISTEN` override), with the checks the
    /// file's own address gets.
    /// - Throws: ``ConfigError`` when the address is beyond loopback and no token is set.
    public mutating func overrideListen(_ address: ListenAddress) throws(ConfigError) {
        if !address.isLoopback, apiToken == nil {
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: file, location: nil, path: "host.listen",
                message: "--listen \(address) is reachable from other machines, so host.api_token must be set")])
        }
        if case .literal(let token)? = apiToken, let problem = Self.weakTokenProblem(token, listen: address) {
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: file, location: nil, path: "host.api_token", message: problem)])
        }
        listen = address
    }

    /// Where the host keeps its state.
    public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
        /// An SQLite file, relative to the configuration file's folder unless absolute.
        case sqlite(path: String)
        /// A PostgreSQL database, `postgres://USER@HOST:PORT/DATABASE` (the password apart, `host.store_password`).
        case postgres(url: String)

        public var description: String {
            switch self {
            case .sqlite(let path): "sqlite:\(path)"
            case .postgres(let url): url
            }
        }
    }

    /// The file as the user named it.
    public var file: String
    /// The folder relative paths are resolved against.
    public var baseDirectory: String
    /// The API's address (`host.listen`).
    public var listen: ListenAddress
    /// A second listener serving only `/.well-known/jwks.json` (`host.jwks_listen`), for a TLS
    /// reverse proxy that Salesforce reaches, so the assistant's API need not be exposed.
    public var jwksListen: ListenAddress?
    /// The API bearer token, or `nil` when none is set.
    public var apiToken: APIToken?
    /// The state store (`host.store`).
    public var store: StoreLocation
    /// The PostgreSQL store's password (`host.store_password`), a secret setting like the API token.
    public var storePassword: APIToken?
    /// How long a graceful shutdown may take before the remaining work is cancelled.
    public var shutdownTimeout: Duration
    /// Connections, event streams and timeouts of the API (before fitting to the descriptor limit).
    public var apiLimits = APILimits()
    /// Where the vault and its master key are.
    public var vault: CredentialVault.Configuration
    /// The connector instances, in file order.
    public var connectors: [ConnectorConfiguration]
    /// The external modules declared under `modules:`.
    public var externalModules: [ExternalModuleDeclaration] = []
    /// Problems that do not stop the host.
    public var warnings: [ConfigDiagnostic]

    /// Every secret reference in the configuration (API token and connector settings).
    public var secretReferences: [SecretReference] {
        var references: [SecretReference] = []
        if case .reference(let reference) = apiToken { references.append(reference) }
        for connector in connectors { references += Self.collect(.object(connector.settings)).references }
        return references
    }

    /// Every sensitive value given literally (API token and connector settings).
    public var sensitiveValues: [Secret] {
        var values: [Secret] = []
        if case .literal(let secret) = apiToken { values.append(secret) }
        for connector in connectors { values += Self.collect(.object(connector.settings)).values }
        return values
    }

    private static func collect(_ value: SettingValue) -> (references: [SecretReference], values: [Secret]) {
        switch value {
        case .secret(let reference): return ([reference], [])
        case .sensitive(let secret): return ([], [secret])
        case .list(let items):
            let parts = items.map(collect)
            return (parts.flatMap(\.references), parts.flatMap(\.values))
        case .object(let object):
            let parts = object.keys.compactMap { object[$0] }.map(collect)
            return (parts.flatMap(\.references), parts.flatMap(\.values))
        default: return ([], [])
        }
    }
}

/// The schema of the host's own sections, which `switchboard modules --host` also documents.
public enum HostSchema {
    /// The SQLite file `host.store` names by default, relative to the configuration file's folder.
    public static let defaultStore = ".switchboard/state.db"

    /// `host:`.
    public static let host = SettingsSchema([
        SettingField("listen", .address, default: .string("127.0.0.1:8710"), summary: "Address of the API for the assistant."),
        SettingField("api_token", .sensitiveString, summary: "Bearer token the assistant must send; required beyond loopback."),
        SettingField("jwks_listen", .address,
                     summary: "A second address serving only /.well-known/jwks.json (the public keys, no token): put it behind a TLS reverse proxy for Salesforce's Endpoint URL keyset, and keep listen private."),
        SettingField("store", .string, default: .string("sqlite:" + defaultStore),
                     summary: "State store: sqlite:PATH (one host), or postgres://USER@HOST:5432/DATABASE[?sslmode=require] (several hosts on one database)."),
        SettingField("store_password", .sensitiveString, summary: "The PostgreSQL store's password, as a secret reference (vault:, env:, file:)."),
        SettingField("shutdown_timeout", .duration, default: .duration(.seconds(10)), summary: "Longest graceful shutdown before work is cancelled."),
        SettingField("max_connections", .integer(min: 16, max: 1_000_000), default: .integer(APILimits().maxConnections),
                     summary: "API connections open at once; one more is answered 503. Never more than half the descriptors left after 256 kept for the store."),
        SettingField("max_event_streams", .integer(min: 1, max: 1_000_000),
                     summary: "Event streams open at once (default: max_connections − 32, so probes and calls always get through); one more is answered 503."),
        SettingField("header_timeout", .duration, default: .duration(APILimits().headerTimeout),
                     summary: "Time a new connection has to send its request headers; then 408 and closed."),
        SettingField("idle_timeout", .duration, default: .duration(APILimits().idleTimeout),
                     summary: "Time a keep-alive connection may stay idle between requests before it is closed."),
    ])

    /// `vault:`.
    public static let vault = SettingsSchema([
        SettingField("path", .string, default: .string(".switchboard/vault.json"), summary: "The encrypted vault file."),
        SettingField("master_key", .secret, default: .secret(SecretReference(.env, "SWITCHBOARD_MASTER_KEY")),
                     summary: "Where the vault's master key is: env:NAME or file:PATH."),
    ])

    /// One entry of `modules:`: an external module's process (docs/module-protocol.md).
    public static let externalModule = SettingsSchema([
        SettingField("command", .string, required: true, summary: "The executable: a path (relative to working_directory) or a name on PATH."),
        SettingField("args", .list(.string), default: .list([]), summary: "Its arguments."),
        SettingField("working_directory", .path(mustExist: true), default: .string("."), summary: "Where it runs, relative to this file's folder."),
        SettingField("environment", .list(.string), default: .list([]),
                     summary: "Variables passed through from the host's environment (PATH, HOME and LANG always are); no others."),
        SettingField("call_timeout", .duration, default: .duration(.seconds(30)), summary: "How long one call may take before the module is restarted."),
        SettingField("sync_timeout", .duration, default: .duration(.seconds(600)), summary: "How long one sync run may take."),
    ])

    /// The top level.
    public static let root = SettingsSchema([
        SettingField("modules", .map(.object(externalModule)), summary: "External modules, by the name they report: processes speaking docs/module-protocol.md."),
        SettingField("version", .integer(min: 1, max: 1), required: true, summary: "Configuration format version; 1."),
        SettingField("host", .object(host), summary: "The host process."),
        SettingField("vault", .object(vault), summary: "The credential vault."),
    ])
}
