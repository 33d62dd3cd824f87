import ConnectorKit

/// The `dynamics-live-assist` module: authenticated chat tokens for Live Assist on Dynamics 365
/// (the contact found by e-mail through the Web API with client credentials).
public struct LiveAssistModule: ConnectorModule {
    public let name = "dynamics-live-assist"
    public let summary = "Live Assist for Dynamics 365: authenticated chat tokens carrying the employee's CRM contact GUID."
    public let features: [Feature] = [.liveAgent]

    /// The module.
    public init() {}

    public var settings: SettingsSchema {
        SettingsSchema([
            SettingField("dynamics", .object(SettingsSchema([
                SettingField("url", .url(keywords: ["sandbox"]), required: true,
                             summary: "The org URL (https://contoso.crm.dynamics.com — the Web API endpoint's host), or sandbox."),
                SettingField("tenant", .string, required: true, summary: "The Entra ID tenant (GUID or domain) of the app registration."),
                SettingField("client_id", .string, required: true, summary: "The app registration's client id (an application user in the org)."),
                SettingField("client_secret", .secret, required: true, summary: "Its client secret (the value, not the id)."),
                SettingField("authority", .url(), summary: "The identity platform (default https://login.microsoftonline.com)."),
                SettingField("api_version", .string, default: .string("9.2"), summary: "Web API version."),
            ])), required: true, summary: "The Dynamics 365 org and the app that reads contacts."),
            SettingField("live-agent", .object(SettingsSchema([
                SettingField("issuer", .string, required: true,
                             summary: "The token's iss — paste the identical string into Live Assist's \"JWT Issuer\" (site URL or host name)."),
                SettingField("private_key", .secret, required: true,
                             summary: "The RS256 private key; its public key goes into Live Assist (`switchboard keys live-assist-public-key`)."),
                SettingField("token_lifetime", .duration, default: .duration(.seconds(900)), summary: "Lifetime of each chat token."),
            ])), feature: .liveAgent, summary: "Live Assist authenticated chat tokens."),
        ])
    }

    public func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        LiveAssistConnection(configuration: configuration, settings: try LiveAssistSettings(configuration.settings), context: context)
    }
}
