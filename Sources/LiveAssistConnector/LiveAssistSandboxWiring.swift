import ConnectorKit
import Foundation

extension LiveAssistModule {
    /// With `dynamics.url: sandbox`: the sandbox's Dynamics org registers the connector's tenant,
    /// client id and secret, and the connector's URL and authority point at it.
    public func sandboxWiring(for configuration: ConnectorConfiguration) -> SandboxWiring? {
        let settings = configuration.settings
        guard settings.value(at: "dynamics.url") == .keyword("sandbox") else { return nil }
        var dynamics: SandboxWiring.Dynamics?
        if let tenant = settings.value(at: "dynamics.tenant")?.stringValue, let clientId = settings.value(at: "dynamics.client_id")?.stringValue,
           let secret = settings.value(at: "dynamics.client_secret")?.secretValue {
            dynamics = .init(tenant: tenant, clientId: clientId, clientSecret: secret, signingKey: settings.value(at: "live-agent.private_key")?.secretValue)
        }
        return SandboxWiring(dynamics: dynamics) { base in
            var rewritten = settings
            var section = settings["dynamics"]?.objectValue ?? SettingsObject()
            section["url"] = .url(base)
            section["authority"] = .url(base)
            rewritten["dynamics"] = .object(section)
            return rewritten
        }
    }
}
