import ConnectorKit
import Foundation
import Yams

/// Reads and validates `connectors.yaml`: interpolates `${VAR}`, checks the host sections and every
/// connector against its module's schema, checks that every secret reference points at something
/// (without reading a value), and reports **every** problem at once with file:line:col and the
/// field path. Secret values never appear in any message.
public struct ConfigLoader: Sendable {
    /// The modules connectors may name.
    public var registry: ModuleRegistry
    /// The environment `${VAR}` and `env:` read.
    public var environment: [String: String]
    /// Whether to check that secret references resolve (env set, file readable, vault entry present).
    public var checksSecrets: Bool

    /// Creates a loader.
    public init(registry: ModuleRegistry, environment: [String: String] = ProcessInfo.processInfo.environment, checksSecrets: Bool = true) {
        self.registry = registry
        self.environment = environment
        self.checksSecrets = checksSecrets
    }

    /// Loads a file. `path` is shown in messages as given.
    public func load(path: String) throws(ConfigError) -> HostConfiguration {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read it (permission denied?)" : "no such file; pass --config PATH or run from the folder that holds connectors.yaml"
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: path, location: nil, path: nil, message: reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: path, location: nil, path: nil, message: "not UTF-8 text")])
        }
        return try load(text: text, file: path, baseDirectory: url.deletingLastPathComponent().path)
    }

    /// Loads configuration text; relative paths in it resolve against `baseDirectory`.
    public func load(text: String, file: String, baseDirectory: String) throws(ConfigError) -> HostConfiguration {
        let document: YAMLDocument
        switch YAMLDocument.parse(text, file: file) {
        case .success(let parsed): document = parsed
        case .failure(let diagnostic): throw ConfigError(diagnostics: [diagnostic])
        }
        guard let root = document.root, !SchemaValidator.isNull(root) else {
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: file, location: nil, path: nil, message: "the file is empty; it needs at least 'version: 1'")])
        }
        var validator = SchemaValidator(document: document, environment: environment)
        validator.baseDirectory = baseDirectory
        let top = validator.object(root, schema: HostSchema.root, path: "", extraKeys: ["connectors"])
        let host = top["host"]?.objectValue ?? validator.object(.mapping(Node.Mapping([])), schema: HostSchema.host, path: "host")
        let vault = top["vault"]?.objectValue ?? validator.object(.mapping(Node.Mapping([])), schema: HostSchema.vault, path: "vault")

        let externalModules = Self.declarations(top["modules"]?.objectValue, validator: &validator)
        var connectors: [ConnectorConfiguration] = []
        if case .mapping(let mapping) = root, let connectorsNode = mapping["connectors"] {
            connectors = ConnectorsSection(registry: registry).connectors(connectorsNode, validator: &validator)
        }

        let vaultConfiguration = CredentialVault.Configuration(
            vaultPath: vault["path"]?.stringValue.map { CredentialVault.resolve($0, against: baseDirectory) },
            masterKey: vault["master_key"]?.secretValue, baseDirectory: baseDirectory, environment: environment)
        let listen = host["listen"]?.stringValue.flatMap(ListenAddress.init(parsing:)) ?? ListenAddress(host: "127.0.0.1", port: 8710)
        let apiToken = Self.apiToken(host["api_token"])
        let store = checkStore(host["store"]?.stringValue, validator: &validator)

        if case .literal(let token)? = apiToken, let problem = HostConfiguration.weakTokenProblem(token, listen: listen) {
            validator.report("host.api_token", at: validator.locations["host.api_token"], problem)
        }
        let tokenHasError = validator.diagnostics.contains { $0.path == "host.api_token" }
        if !listen.isLoopback, apiToken == nil, !tokenHasError {
            validator.report("host.listen", at: validator.locations["host.listen"],
                "listening on \(listen) is reachable from other machines, so host.api_token must be set (e.g. api_token: ${SWITCHBOARD_API_TOKEN}); or listen on 127.0.0.1")
        }
        if let masterKey = vaultConfiguration.masterKey, masterKey.kind == SecretReference.Kind.vault {
            validator.report("vault.master_key", at: validator.locations["vault.master_key"],
                "the master key cannot itself live in the vault: use env:NAME or file:PATH")
        }
        if checksSecrets { checkSecrets(vaultConfiguration, connectors: connectors, validator: &validator) }

        let defaults = APILimits()
        let maxConnections = host["max_connections"]?.integerValue ?? defaults.maxConnections
        let limits = APILimits(maxConnections: maxConnections, maxEventStreams: host["max_event_streams"]?.integerValue,
                               headerTimeout: host["header_timeout"]?.durationValue ?? defaults.headerTimeout,
                               idleTimeout: host["idle_timeout"]?.durationValue ?? defaults.idleTimeout)
        if let streams = host["max_event_streams"]?.integerValue, streams >= maxConnections {
            validator.report("host.max_event_streams", at: validator.locations["host.max_event_streams"],
                "\(streams) event streams would take every one of the \(maxConnections) connections (host.max_connections); keep it lower so probes and API calls get through")
        }

        if let jwks = host["jwks_listen"]?.stringValue.flatMap(ListenAddress.init(parsing:)), jwks == listen {
            validator.report("host.jwks_listen", at: validator.locations["host.jwks_listen"],
                "\(jwks) is host.listen already; the JWKS listener needs an address of its own (the API serves the JWKS too)")
        }
        let errors = validator.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw ConfigError(diagnostics: validator.diagnostics) }
        var configuration = HostConfiguration(
            file: file, baseDirectory: baseDirectory, listen: listen, apiToken: apiToken, store: store ?? .sqlite(path: HostSchema.defaultStore),
            shutdownTimeout: host["shutdown_timeout"]?.durationValue ?? .seconds(10), vault: vaultConfiguration,
            connectors: connectors, warnings: validator.diagnostics.sorted())
        configuration.apiLimits = limits
        configuration.storePassword = Self.apiToken(host["store_password"])
        configuration.externalModules = externalModules
        configuration.jwksListen = host["jwks_listen"]?.stringValue.flatMap(ListenAddress.init(parsing:))
        return configuration
    }

    // MARK: External modules

    /// The `modules:` entries, validated, in file order.
    static func declarations(_ object: SettingsObject?, validator: inout SchemaValidator) -> [ExternalModuleDeclaration] {
        guard let object else { return [] }
        var declarations: [ExternalModuleDeclaration] = []
        for name in object.keys {
            guard let entry = object[name]?.objectValue else { continue }
            let location = validator.locations["modules.\(name)"]
            guard name.range(of: "^[a-z][a-z0-9-]{0,62}$", options: .regularExpression) != nil else {
                validator.report("modules.\(name)", at: location, "module names use lowercase letters, digits and dashes, starting with a letter")
                continue
            }
            if let declaration = try? ExternalModuleDeclaration(name: name, settings: entry, location: location) { declarations.append(declaration) }
        }
        return declarations
    }

    /// Only the `modules:` section of a file: the external modules to start before the connectors
    /// that use them can be validated.
    public func externalModules(path: String) throws(ConfigError) -> [ExternalModuleDeclaration] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return [] }
        let document: YAMLDocument
        switch YAMLDocument.parse(text, file: path) {
        case .success(let parsed): document = parsed
        case .failure(let diagnostic): throw ConfigError(diagnostics: [diagnostic])
        }
        guard case .mapping(let mapping)? = document.root, let node = mapping["modules"] else { return [] }
        var validator = SchemaValidator(document: document, environment: environment)
        validator.baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let object = validator.value(node, type: .map(.object(HostSchema.externalModule)), path: "modules")?.objectValue
        let declarations = Self.declarations(object, validator: &validator)
        let errors = validator.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw ConfigError(diagnostics: errors) }
        return declarations
    }

    // MARK: Host checks

    private static func apiToken(_ value: SettingValue?) -> HostConfiguration.APIToken? {
        switch value {
        case .secret(let reference): .reference(reference)
        case .sensitive(let secret) where !secret.isEmpty: .literal(secret)
        default: nil
        }
    }

    private func checkStore(_ text: String?, validator: inout SchemaValidator) -> HostConfiguration.StoreLocation? {
        guard let text else { return nil }
        if text.hasPrefix("sqlite:"), text.count > "sqlite:".count {
            return .sqlite(path: String(text.dropFirst("sqlite:".count)))
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            let url = URLComponents(string: text)
            let problem: String? = if url == nil { "is not a URL" }
                else if url?.password != nil { "carries a password: set host.store_password to a secret reference (vault:, env:, file:) instead" }
                else if (url?.user ?? "").isEmpty || (url?.host ?? "").isEmpty { "needs a user and a host" }
                else if (url?.path ?? "").drop(while: { $0 == "/" }).isEmpty { "needs a database" }
                else { nil }
            if let problem {
                validator.report("host.store", at: validator.locations["host.store"],
                                 "the PostgreSQL store \(problem): postgres://USER@HOST:5432/DATABASE")
                return nil
            }
            return .postgres(url: text)
        }
        validator.report("host.store", at: validator.locations["host.store"],
                         "\(SchemaValidator.show(text)) is not a store: expected sqlite:PATH, like sqlite:.switchboard/state.db, or postgres://USER@HOST:5432/DATABASE")
        return nil
    }

    private func checkSecrets(_ configuration: CredentialVault.Configuration, connectors: [ConnectorConfiguration],
                              validator: inout SchemaValidator) {
        let vault = CredentialVault(configuration: configuration, redactor: SecretRedactor())
        // A connector that logs in to the built-in sandbox org may name `file:` secrets that do not
        // exist yet: the switchboard executable generates them for the sandbox on first use.
        let sandboxPrefixes = connectors.filter { registry.module(named: $0.module)?.sandboxWiring(for: $0) != nil }.map { "connectors.\($0.name)." }
        var firstVaultUse: String?
        for (reference, path) in validator.secretReferences where path != "vault.master_key" {
            if reference.kind == .file, sandboxPrefixes.contains(where: { path.hasPrefix($0) }),
               !FileManager.default.fileExists(atPath: vault.resolvePath(reference.name)) { continue }
            if reference.kind == .vault, firstVaultUse == nil { firstVaultUse = path }
            // A vault entry is opened as `run` will open it: a wrong master key or an altered entry is
            // found here, not at start-up (the value is dropped at once, never shown).
            let problem: VaultError?
            if let missing = vault.problem(with: reference) {
                problem = missing
            } else if reference.kind == .vault, configuration.masterKey.map({ vault.problem(with: $0) == nil }) ?? false {
                do { _ = try vault.resolve(reference); problem = nil } catch { problem = error }
            } else {
                problem = nil
            }
            if let problem {
                let message: String
                switch reference.kind {
                case .vault where problem.isEntryNotFound || !(vault.vaultFile?.exists ?? false):
                    message = "secret \(reference) not found: \(problem.description)"
                default:
                    message = "secret \(reference) cannot be resolved: \(problem.description)"
                }
                validator.report(path, at: validator.locations[path], message)
            }
        }
        if let firstVaultUse, let masterKey = configuration.masterKey, masterKey.kind != .vault, let problem = vault.problem(with: masterKey) {
            // Point at vault.master_key when it is written, else at the first vault: reference.
            let written = validator.locations["vault.master_key"]
            validator.report(written == nil ? firstVaultUse : "vault.master_key", at: written ?? validator.locations[firstVaultUse],
                "the vault is used, but its master key \(masterKey) cannot be read: \(problem.description)")
        }
    }
}
