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
        func text(_ path: String) throws -> String {
            guard let value = settings.value(at: path)?.stringValue, !value.isEmpty else { throw ConnectorError.misconfigured("\(path) is missing", field: path) }
            return value
        }
        func url(_ path: String) throws -> String {
            switch settings.value(at: path) {
            case .url(let url)?: return url.absoluteString.hasSuffix("/") ? String(url.absoluteString.dropLast()) : url.absoluteString
            case .keyword("sandbox")?:
                throw ConnectorError.misconfigured("\(path) is `sandbox`, which only the switchboard executable can start", field: path)
            default: throw ConnectorError.misconfigured("\(path) is missing", field: path)
            }
        }
        orgURL = try url("dynamics.url")
        authority = settings.value(at: "dynamics.authority") == nil ? "https://login.microsoftonline.com" : try url("dynamics.authority")
        tenant = try text("dynamics.tenant")
        clientId = try text("dynamics.client_id")
        guard let secret = settings.value(at: "dynamics.client_secret")?.secretValue else {
            throw ConnectorError.misconfigured("dynamics.client_secret is missing", field: "dynamics.client_secret")
        }
        clientSecret = secret
        apiVersion = settings.value(at: "dynamics.api_version")?.stringValue ?? "9.2"
        issuer = try text("live-agent.issuer")
        guard let key = settings.value(at: "live-agent.private_key")?.secretValue else {
            throw ConnectorError.misconfigured("live-agent.private_key is missing", field: "live-agent.private_key")
        }
        privateKey = key
        tokenLifetime = settings.value(at: "live-agent.token_lifetime")?.durationValue ?? .seconds(900)
    }
}
