/// The sandbox's Dynamics 365 side: one Entra ID tenant with one app registration that may read
/// contacts (client credentials), and how long its tokens live.
public struct DynamicsConfiguration: Sendable {
    /// The tenant (GUID or domain) in the token URL.
    public var tenant = "sandbox-tenant"
    /// The app registration's client id.
    public var clientId = "00000000-0000-4000-8000-00000000d365"
    /// Its client secret.
    public var clientSecret = "sandbox-dynamics-secret"
    /// Whether the application user's security role reads Contact (else 403, as Dataverse answers).
    public var canReadContacts = true
    /// `expires_in` of issued tokens.
    public var tokenLifetime: Duration = .seconds(3599)

    /// The defaults.
    public init() {}
}
