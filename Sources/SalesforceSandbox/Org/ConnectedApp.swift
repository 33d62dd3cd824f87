/// A connected app registered in the sandbox org, as an admin sets one up for the JWT bearer flow:
/// its consumer key (the assertion's `iss`), the uploaded X.509 certificate whose key must have
/// signed the assertion, the pre-authorized users (`sub`) and the audiences it accepts (`aud`).
public struct ConnectedApp: Sendable, Hashable, Codable {
    /// The consumer key.
    public var consumerKey: String
    /// The certificate, PEM.
    public var certificate: String
    /// Usernames pre-authorized for the app (admin-approved users).
    public var users: [String]
    /// Accepted `aud` values; nil accepts the sandbox's own URL, `https://login.salesforce.com`
    /// and `https://test.salesforce.com`.
    public var audiences: [String]?

    /// Registers an app.
    public init(consumerKey: String, certificate: String, users: [String] = [SeedData.integrationUsername], audiences: [String]? = nil) {
        self.consumerKey = consumerKey
        self.certificate = certificate
        self.users = users
        self.audiences = audiences
    }
}
