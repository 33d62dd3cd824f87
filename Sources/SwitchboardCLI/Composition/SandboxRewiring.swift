import ConnectorKit
import Logging
import SalesforceSandbox
import SwitchboardHost

/// Points a reloaded configuration's sandbox connectors at the built-in sandbox org the host started
/// with: registers their connected apps (a new connector's key is generated like at start-up) and
/// rewrites their URLs. What the org was seeded and set up with at start-up — its data, custom
/// fields, Enhanced Messaging deployment and Dynamics org — cannot change while it runs: a reload
/// that needs a different one is a ``ReloadRefusal`` saying a restart is needed.
struct SandboxRewiring: Sendable {
    /// The sandbox the host started, with what it was started with.
    struct Running: Sendable {
        var sandbox: SalesforceSandbox
        var baseURL: String
        var configuration: SandboxConfiguration
        var hostServesJWKS: Bool
        var logger: Logger
    }

    /// Nil when the host started without the sandbox (no connector used it).
    var running: Running?

    /// The configuration with its sandbox connectors wired to the running org.
    /// - Throws: ``ReloadRefusal`` when the org would have to be set up differently.
    func rewire(_ configuration: HostConfiguration, registry: ModuleRegistry) throws -> HostConfiguration {
        let wirings = SandboxProvisioner.wirings(configuration, registry: registry)
        guard !wirings.isEmpty else { return configuration }
        guard let running else {
            throw ReloadRefusal("\(wirings.map(\.connector.name).joined(separator: ", ")) log in to the built-in sandbox org, which this host did not start "
                                + "(no connector used it at start-up); restart the host to start it")
        }
        let wanted = try SandboxProvisioner.plan(wirings, listen: configuration.listen, vault: CredentialVault(configuration: configuration.vault),
                                                 hostServesJWKS: running.hostServesJWKS, logger: running.logger)
        let problems = Self.differences(started: running.configuration, wanted: wanted, wirings: wirings.map(\.wiring))
        guard problems.isEmpty else {
            throw ReloadRefusal("the built-in sandbox org was set up at start-up and cannot change while it runs (\(problems.joined(separator: "; "))); "
                                + "restart the host to apply it")
        }
        for app in wanted.connectedApps { try running.sandbox.org.register(app) }
        return SandboxProvisioner.rewrite(configuration, wirings, base: running.baseURL)
    }

    /// What the reloaded connectors need of the org that differs from what it was started with.
    static func differences(started: SandboxConfiguration, wanted: SandboxConfiguration, wirings: [SandboxWiring]) -> [String] {
        var problems: [String] = []
        if wirings.contains(where: { $0.data != nil }),
           started.seed != wanted.seed || started.port != wanted.port || started.agentInterval != wanted.agentInterval {
            problems.append("sandbox data, port or agent interval")
        }
        let fields = Set(started.customFields)
        let missing = wanted.customFields.filter { !fields.contains($0) }.map { "\($0.object).\($0.name)" }
        if !missing.isEmpty { problems.append("custom fields \(missing.joined(separator: ", "))") }
        if wirings.contains(where: { $0.messaging != nil }) {
            let (a, b) = (started.messaging, wanted.messaging)
            if started.organizationID != wanted.organizationID || a.esDeveloperName != b.esDeveloperName || a.issuer != b.issuer
                || a.jwksURL != b.jwksURL || a.uploadedKeys != b.uploadedKeys {
                problems.append("the Enhanced Messaging deployment (org id, deployment, issuer or keys)")
            }
        }
        if wirings.contains(where: { $0.dynamics != nil }) {
            let (a, b) = (started.dynamics, wanted.dynamics)
            if a.tenant != b.tenant || a.clientId != b.clientId || a.clientSecret != b.clientSecret {
                problems.append("the Dynamics org (tenant, client id or secret)")
            }
        }
        return problems
    }
}
