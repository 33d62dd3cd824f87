import ConnectorKit
import Foundation
import Logging
import SalesforceSandbox
import ServiceLifecycle
import SwitchboardHost

/// The composition root's side of `login_url: sandbox`: starts one built-in sandbox org in this
/// process, registers each sandbox connector's connected app in it (consumer key, a certificate made
/// from the connector's private key, its username), and points the connectors at it. A `file:`
/// private key that does not exist yet is generated (sandbox only), so a fresh machine runs as is.
/// The host library never imports the sandbox.
enum SandboxProvisioner {
    /// The Salesforce connectors that log in to the sandbox.
    static func sandboxConnectors(_ configuration: HostConfiguration) -> [ConnectorConfiguration] {
        configuration.connectors.filter { $0.settings.value(at: "org.login_url") == .keyword("sandbox") }
    }

    /// The Dynamics connectors that use the sandbox's Dynamics org.
    static func dynamicsConnectors(_ configuration: HostConfiguration) -> [ConnectorConfiguration] {
        configuration.connectors.filter { $0.settings.value(at: "dynamics.url") == .keyword("sandbox") }
    }

    /// Runs `body` with the configuration rewritten to use a running sandbox (or as is when no
    /// connector names it); the sandbox stops when `body` returns.
    static func withSandbox<T: Sendable>(for configuration: HostConfiguration, logger: Logger,
                                         _ body: @Sendable (HostConfiguration) async throws -> T) async throws -> T {
        let connectors = sandboxConnectors(configuration)
        let dynamics = dynamicsConnectors(configuration)
        guard !connectors.isEmpty || !dynamics.isEmpty else { return try await body(configuration) }
        let vault = CredentialVault(configuration: configuration.vault)
        var sandboxConfiguration = SandboxConfiguration()
        let data = connectors.first?.settings.value(at: "org.sandbox")?.objectValue
        sandboxConfiguration.seed = SeedData(seed: UInt64(data?["seed"]?.integerValue ?? 42), contacts: data?["contacts"]?.integerValue ?? 250,
                                             cases: data?["cases"]?.integerValue ?? 40, articles: data?["articles"]?.integerValue ?? 30)
        sandboxConfiguration.port = data?["port"]?.integerValue ?? 0
        sandboxConfiguration.agentInterval = data?["agent_interval"]?.durationValue ?? .seconds(5)
        sandboxConfiguration.customFields = customFields(connectors)
        for connector in connectors {
            sandboxConfiguration.connectedApps.append(try connectedApp(for: connector, vault: vault, logger: logger))
        }
        if let connector = dynamics.first {
            try configureDynamics(&sandboxConfiguration, for: connector, vault: vault, logger: logger)
        }
        if let live = connectors.first(where: { $0.features.contains(.liveAgent) && $0.settings.value(at: "live-agent.scrt_url") == .keyword("sandbox") }) {
            try configureMessaging(&sandboxConfiguration, for: live, listen: configuration.listen, vault: vault, logger: logger)
        }
        let sandbox = try SalesforceSandbox(configuration: sandboxConfiguration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [sandbox], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let base = await sandbox.baseURL()
            logger.notice("sandbox org started", metadata: ["url": .string(base), "contacts": "\(sandboxConfiguration.seed.contacts)"])
            var rewritten = configuration
            for index in rewritten.connectors.indices where rewritten.connectors[index].settings.value(at: "org.login_url") == .keyword("sandbox") {
                var org = rewritten.connectors[index].settings["org"]?.objectValue ?? SettingsObject()
                org["login_url"] = .url(URL(string: base)!)
                rewritten.connectors[index].settings["org"] = .object(org)
                if var live = rewritten.connectors[index].settings["live-agent"]?.objectValue, live["scrt_url"] == .keyword("sandbox") {
                    live["scrt_url"] = .url(URL(string: base)!)
                    rewritten.connectors[index].settings["live-agent"] = .object(live)
                }
            }
            for index in rewritten.connectors.indices where rewritten.connectors[index].settings.value(at: "dynamics.url") == .keyword("sandbox") {
                var section = rewritten.connectors[index].settings["dynamics"]?.objectValue ?? SettingsObject()
                section["url"] = .url(URL(string: base)!)
                section["authority"] = .url(URL(string: base)!)
                rewritten.connectors[index].settings["dynamics"] = .object(section)
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(rewritten))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// The custom fields the sandbox connectors' settings give the org: `org.sandbox.custom_fields`,
    /// and each `ticketing.idempotency_field` as an External ID on Case.
    static func customFields(_ connectors: [ConnectorConfiguration]) -> [CustomField] {
        var fields: [CustomField] = []
        for connector in connectors {
            if let byObject = connector.settings.value(at: "org.sandbox.custom_fields")?.objectValue {
                for object in byObject.keys.sorted() {
                    for name in byObject[object]?.listValue?.compactMap(\.stringValue) ?? [] {
                        fields.append(CustomField(object: object, name: name))
                    }
                }
            }
            if connector.features.contains(.ticketing), let key = connector.settings.value(at: "ticketing.idempotency_field")?.stringValue {
                fields.append(CustomField(object: "Case", name: key, isExternalID: true))
            }
        }
        return fields
    }

    /// The sandbox's Enhanced Messaging deployment for a `scrt_url: sandbox` live-agent section:
    /// its org id, deployment name and issuer, and a keyset that reads this host's own
    /// `/.well-known/jwks.json` (endpoint mode) — or, when the API port is not fixed, the
    /// uploaded JWK of the signing key. The key file is generated when missing.
    static func configureMessaging(_ sandbox: inout SandboxConfiguration, for connector: ConnectorConfiguration, listen: ListenAddress,
                                   vault: CredentialVault, logger: Logger) throws {
        let settings = connector.settings
        guard let keyID = settings.value(at: "live-agent.key_id")?.stringValue, let issuer = settings.value(at: "live-agent.issuer")?.stringValue,
              let orgId = settings.value(at: "live-agent.org_id")?.stringValue, let name = settings.value(at: "live-agent.es_developer_name")?.stringValue,
              let keyReference = settings.value(at: "live-agent.private_key")?.secretValue else {
            throw ConnectorError.misconfigured("connector \(connector.name): live-agent needs key_id, issuer, org_id, es_developer_name and private_key", field: "live-agent")
        }
        let privateKey = try sandboxKey(keyReference, connector: connector.name, keyID: keyID, vault: vault, logger: logger)
        sandbox.organizationID = orgId.count == 18 ? orgId : String(orgId.prefix(15)) + "AAA"
        sandbox.messaging.esDeveloperName = name
        sandbox.messaging.issuer = issuer
        if listen.port != 0 {
            let host = listen.host == "0.0.0.0" || listen.host == "::" ? "127.0.0.1" : (listen.host.contains(":") ? "[\(listen.host)]" : listen.host)
            sandbox.messaging.jwksURL = "http://\(host):\(listen.port)/.well-known/jwks.json"
        } else {
            let certificate = try SelfSignedCertificate.make(privateKeyPEM: privateKey, commonName: keyID)
            sandbox.messaging.uploadedKeys = [try JWK.rsa(certificate: certificate, keyID: keyID).json.description]
        }
    }

    /// The sandbox's Dynamics org for a `dynamics.url: sandbox` connector: its tenant, client id and
    /// secret become the sandbox's app registration; a missing `file:` signing key is generated.
    static func configureDynamics(_ sandbox: inout SandboxConfiguration, for connector: ConnectorConfiguration, vault: CredentialVault,
                                  logger: Logger) throws {
        let settings = connector.settings
        guard let tenant = settings.value(at: "dynamics.tenant")?.stringValue, let clientId = settings.value(at: "dynamics.client_id")?.stringValue,
              let secret = settings.value(at: "dynamics.client_secret")?.secretValue else {
            throw ConnectorError.misconfigured("connector \(connector.name): dynamics needs tenant, client_id and client_secret", field: "dynamics")
        }
        sandbox.dynamics.tenant = tenant
        sandbox.dynamics.clientId = clientId
        if secret.kind == .file, !FileManager.default.fileExists(atPath: vault.resolvePath(secret.name)) {
            let path = vault.resolvePath(secret.name)
            let value = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            try SecretFileWriter.write(Data(value.utf8), to: path)
            logger.notice("generated a client secret for the sandbox's Dynamics org", metadata: ["connector": .string(connector.name), "path": .string(path)])
        }
        sandbox.dynamics.clientSecret = try vault.resolve(secret).revealedString()
        if let key = settings.value(at: "live-agent.private_key")?.secretValue {
            _ = try sandboxKey(key, connector: connector.name, keyID: "\(connector.name)-live-assist", vault: vault, logger: logger)
        }
    }

    /// A sandbox connector's key: read, or generated into its `file:` path when missing.
    static func sandboxKey(_ reference: SecretReference, connector: String, keyID: String, vault: CredentialVault, logger: Logger) throws -> Secret {
        guard reference.kind == .file, !FileManager.default.fileExists(atPath: vault.resolvePath(reference.name)) else {
            return try vault.resolve(reference)
        }
        let path = vault.resolvePath(reference.name)
        let generated = try KeyGenerator.generate(bits: 2048, keyID: keyID, subject: "CN=Switchboard sandbox", days: 3650)
        try generated.privateKeyPEM.withRevealedBytes { try SecretFileWriter.write(Data($0), to: path) }
        logger.notice("generated a key for the sandbox org (never use it with a real org)", metadata: ["connector": .string(connector), "path": .string(path)])
        return generated.privateKeyPEM
    }

    /// The connected app a sandbox connector needs, generating its key file when missing.
    static func connectedApp(for connector: ConnectorConfiguration, vault: CredentialVault, logger: Logger) throws -> ConnectedApp {
        let settings = connector.settings
        let consumerKey: String = switch settings.value(at: "auth.consumer_key") {
        case .sensitive(let secret)?: try secret.revealedString()
        case .secret(let reference)?: try vault.resolve(reference).revealedString()
        case .string(let text)?: text
        default: throw ConnectorError.misconfigured("connector \(connector.name): auth.consumer_key is missing", field: "auth.consumer_key")
        }
        guard let username = settings.value(at: "auth.username")?.stringValue,
              let keyReference = settings.value(at: "auth.private_key")?.secretValue else {
            throw ConnectorError.misconfigured("connector \(connector.name): auth.username and auth.private_key are required", field: "auth")
        }
        let privateKey = try sandboxKey(keyReference, connector: connector.name, keyID: "\(connector.name)-sandbox", vault: vault, logger: logger)
        return ConnectedApp(consumerKey: consumerKey, certificate: try KeyGenerator.certificatePEM(forPrivateKey: privateKey), users: [username])
    }
}
