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
    /// The connectors whose module asks for the sandbox, with what each needs.
    static func wirings(_ configuration: HostConfiguration, registry: ModuleRegistry) -> [(connector: ConnectorConfiguration, wiring: SandboxWiring)] {
        configuration.connectors.compactMap { connector in
            registry.module(named: connector.module)?.sandboxWiring(for: connector).map { (connector, $0) }
        }
    }

    /// Runs `body` with the configuration rewritten to use a running sandbox (or as is when no
    /// connector names it); the sandbox stops when `body` returns. `hostServesJWKS` false (no host
    /// runs: `doctor`, `modules test`) gives the messaging keyset the signing key's JWK as an upload
    /// instead of the host's endpoint.
    static func withSandbox<T: Sendable>(for configuration: HostConfiguration, registry: ModuleRegistry, logger: Logger, hostServesJWKS: Bool = true,
                                         _ body: @Sendable (HostConfiguration) async throws -> T) async throws -> T {
        try await withSandbox(for: configuration, registry: registry, logger: logger, hostServesJWKS: hostServesJWKS) { configuration, _ in
            try await body(configuration)
        }
    }

    /// ``withSandbox(for:registry:logger:hostServesJWKS:_:)`` that also hands `body` the
    /// ``SandboxRewiring`` a reloaded configuration goes through.
    static func withSandbox<T: Sendable>(for configuration: HostConfiguration, registry: ModuleRegistry, logger: Logger, hostServesJWKS: Bool = true,
                                         _ body: @Sendable (HostConfiguration, SandboxRewiring) async throws -> T) async throws -> T {
        let wirings = wirings(configuration, registry: registry)
        guard !wirings.isEmpty else { return try await body(configuration, SandboxRewiring(running: nil)) }
        let sandboxConfiguration = try plan(wirings, listen: configuration.listen, vault: CredentialVault(configuration: configuration.vault),
                                            hostServesJWKS: hostServesJWKS, logger: logger)
        let sandbox = try SalesforceSandbox(configuration: sandboxConfiguration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [sandbox], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let base = await sandbox.baseURL()
            logger.notice("sandbox org started", metadata: ["url": .string(base), "contacts": "\(sandboxConfiguration.seed.contacts)"])
            let rewiring = SandboxRewiring(running: .init(sandbox: sandbox, baseURL: base, configuration: sandboxConfiguration,
                                                          hostServesJWKS: hostServesJWKS, logger: logger))
            let result: Result<T, any Error>
            do {
                result = .success(try await body(rewrite(configuration, wirings, base: base), rewiring))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// The connectors pointed at the running sandbox.
    static func rewrite(_ configuration: HostConfiguration, _ wirings: [(connector: ConnectorConfiguration, wiring: SandboxWiring)],
                        base: String) -> HostConfiguration {
        var rewritten = configuration
        for (connector, wiring) in wirings {
            guard let index = rewritten.connectors.firstIndex(where: { $0.name == connector.name }) else { continue }
            rewritten.connectors[index].settings = wiring.rewrite(URL(string: base)!)
        }
        return rewritten
    }

    /// The sandbox org the connectors need: seed data, custom fields, connected apps, the Enhanced
    /// Messaging deployment and the Dynamics org (missing `file:` keys and secrets are generated).
    static func plan(_ wirings: [(connector: ConnectorConfiguration, wiring: SandboxWiring)], listen: ListenAddress, vault: CredentialVault,
                     hostServesJWKS: Bool, logger: Logger) throws -> SandboxConfiguration {
        var sandboxConfiguration = SandboxConfiguration()
        if let data = wirings.lazy.compactMap(\.wiring.data).first {
            let seed = sandboxConfiguration.seed
            sandboxConfiguration.seed = SeedData(seed: UInt64(data["seed"]?.integerValue ?? Int(seed.seed)), contacts: data["contacts"]?.integerValue ?? seed.contacts,
                                                 cases: data["cases"]?.integerValue ?? seed.cases, articles: data["articles"]?.integerValue ?? seed.articles)
            sandboxConfiguration.port = data["port"]?.integerValue ?? sandboxConfiguration.port
            sandboxConfiguration.agentInterval = data["agent_interval"]?.durationValue ?? sandboxConfiguration.agentInterval
        }
        sandboxConfiguration.customFields = wirings.flatMap(\.wiring.customFields).map {
            CustomField(object: $0.object, name: $0.name, isExternalID: $0.isExternalID)
        }
        for (connector, wiring) in wirings {
            if let app = wiring.connectedApp {
                sandboxConfiguration.connectedApps.append(try connectedApp(app, connector: connector.name, vault: vault, logger: logger))
            }
        }
        if let (connector, wiring) = wirings.first(where: { $0.wiring.dynamics != nil }), let dynamics = wiring.dynamics {
            try configureDynamics(&sandboxConfiguration, dynamics, connector: connector.name, vault: vault, logger: logger)
        }
        if let (connector, wiring) = wirings.first(where: { $0.wiring.messaging != nil }), let messaging = wiring.messaging {
            try configureMessaging(&sandboxConfiguration, messaging, connector: connector.name,
                                   listen: hostServesJWKS ? listen : ListenAddress(host: "127.0.0.1", port: 0), vault: vault, logger: logger)
        }
        return sandboxConfiguration
    }

    /// The sandbox's Enhanced Messaging deployment for a `scrt_url: sandbox` live-agent section:
    /// its org id, deployment name and issuer, and a keyset that reads this host's own
    /// `/.well-known/jwks.json` (endpoint mode) — or, when the API port is not fixed, the
    /// uploaded JWK of the signing key. The key file is generated when missing.
    static func configureMessaging(_ sandbox: inout SandboxConfiguration, _ messaging: SandboxWiring.Messaging, connector: String,
                                   listen: ListenAddress, vault: CredentialVault, logger: Logger) throws {
        let (keyID, orgId) = (messaging.keyID, messaging.orgId)
        let privateKey = try sandboxKey(messaging.privateKey, connector: connector, keyID: keyID, vault: vault, logger: logger)
        sandbox.organizationID = orgId.count == 18 ? orgId : String(orgId.prefix(15)) + "AAA"
        sandbox.messaging.esDeveloperName = messaging.esDeveloperName
        sandbox.messaging.issuer = messaging.issuer
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
    static func configureDynamics(_ sandbox: inout SandboxConfiguration, _ dynamics: SandboxWiring.Dynamics, connector: String,
                                  vault: CredentialVault, logger: Logger) throws {
        let (tenant, clientId, secret) = (dynamics.tenant, dynamics.clientId, dynamics.clientSecret)
        sandbox.dynamics.tenant = tenant
        sandbox.dynamics.clientId = clientId
        if secret.kind == .file, !FileManager.default.fileExists(atPath: vault.resolvePath(secret.name)) {
            let path = vault.resolvePath(secret.name)
            let value = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            try SecretFileWriter.write(Data(value.utf8), to: path)
            logger.notice("generated a client secret for the sandbox's Dynamics org", metadata: ["connector": .string(connector), "path": .string(path)])
        }
        sandbox.dynamics.clientSecret = try vault.resolve(secret).revealedString()
        if let key = dynamics.signingKey {
            _ = try sandboxKey(key, connector: connector, keyID: "\(connector)-live-assist", vault: vault, logger: logger)
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
    static func connectedApp(_ app: SandboxWiring.ConnectedApp, connector: String, vault: CredentialVault, logger: Logger) throws -> ConnectedApp {
        guard let consumerKey = try app.consumerKey.sensitiveText(resolve: { try vault.resolve($0).revealedString() }) else {
            throw ConnectorError.misconfigured("connector \(connector): auth.consumer_key is not text", field: "auth.consumer_key")
        }
        let privateKey = try sandboxKey(app.privateKey, connector: connector, keyID: "\(connector)-sandbox", vault: vault, logger: logger)
        return ConnectedApp(consumerKey: consumerKey, certificate: try KeyGenerator.certificatePEM(forPrivateKey: privateKey), users: [app.username])
    }
}
