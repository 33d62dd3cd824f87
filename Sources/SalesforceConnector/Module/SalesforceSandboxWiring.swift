import ConnectorKit
import Foundation

extension SalesforceModule {
    /// With `org.login_url: sandbox`: a connected app for `auth`, the `org.sandbox` data and custom
    /// fields (each `ticketing.idempotency_field` as an External ID on Case), and with
    /// `live-agent.scrt_url: sandbox` a messaging deployment trusting `live-agent.private_key`.
    public func sandboxWiring(for configuration: ConnectorConfiguration) -> SandboxWiring? {
        let settings = configuration.settings
        guard settings.value(at: "org.login_url") == .keyword("sandbox") else { return nil }
        var fields: [SandboxWiring.CustomField] = []
        if let byObject = settings.value(at: "org.sandbox.custom_fields")?.objectValue {
            for object in byObject.keys.sorted() {
                for name in byObject[object]?.listValue?.compactMap(\.stringValue) ?? [] { fields.append(.init(object: object, name: name)) }
            }
        }
        if configuration.isEnabled(.ticketing), let key = settings.value(at: "ticketing.idempotency_field")?.stringValue {
            fields.append(.init(object: "Case", name: key, isExternalID: true))
        }
        var app: SandboxWiring.ConnectedApp?
        if let consumerKey = settings.value(at: "auth.consumer_key"), let username = settings.value(at: "auth.username")?.stringValue,
           let key = settings.value(at: "auth.private_key")?.secretValue {
            app = .init(consumerKey: consumerKey, username: username, privateKey: key)
        }
        let liveInSandbox = configuration.isEnabled(.liveAgent) && settings.value(at: "live-agent.scrt_url") == .keyword("sandbox")
        var messaging: SandboxWiring.Messaging?
        if liveInSandbox, let orgId = settings.value(at: "live-agent.org_id")?.stringValue,
           let name = settings.value(at: "live-agent.es_developer_name")?.stringValue, let issuer = settings.value(at: "live-agent.issuer")?.stringValue,
           let keyID = settings.value(at: "live-agent.key_id")?.stringValue, let key = settings.value(at: "live-agent.private_key")?.secretValue {
            messaging = .init(orgId: orgId, esDeveloperName: name, issuer: issuer, keyID: keyID, privateKey: key)
        }
        return SandboxWiring(data: settings.value(at: "org.sandbox")?.objectValue, connectedApp: app, messaging: messaging, customFields: fields) { base in
            var rewritten = settings
            var org = settings["org"]?.objectValue ?? SettingsObject()
            org["login_url"] = .url(base)
            rewritten["org"] = .object(org)
            if var live = settings["live-agent"]?.objectValue, live["scrt_url"] == .keyword("sandbox") {
                live["scrt_url"] = .url(base)
                rewritten["live-agent"] = .object(live)
            }
            return rewritten
        }
    }
}
