import ConnectorKit

/// A `dynamics-live-assist` connector's settings, typed.
struct LiveAssistSettings: Sendable {
    /// The Dynamics 365 org URL (the Web API endpoint's host), without a trailing slash.
    var orgURL: String
    /// Where client-credentials tokens come from (`https://login.microsoftonline.com`).
    var authority: String
    /// The Entra ID tenant.
    var tenant: String
    /// The app registration's client id.
    var clientId: String
    /// Its client secret.
    var clientSecret: SecretReference
    /// Web API version, like `9.2`.
    var apiVersion: String
    /// The Live Assist token's `iss`, pasted identically into Live Assist.
    var issuer: String
    /// The RS256 signing key.
    var privateKey: SecretReference
    /// Lifetime of each Live Assist token.
    var tokenLifetime: Duration

    init(_ settings: SettingsObject) throws {
        orgURL = try settings.requiredURL("dynamics.url")
        authority = settings.value(at: "dynamics.authority") == nil ? "https://login.microsoftonline.com" : try settings.requiredURL("dynamics.authority")
        tenant = try settings.requiredText("dynamics.tenant")
        clientId = try settings.requiredText("dynamics.client_id")
        clientSecret = try settings.requiredSecret("dynamics.client_secret")
        apiVersion = try settings.requiredText("dynamics.api_version")
        issuer = try settings.requiredText("live-agent.issuer")
        privateKey = try settings.requiredSecret("live-agent.private_key")
        tokenLifetime = try settings.requiredDuration("live-agent.token_lifetime")
    }
}
