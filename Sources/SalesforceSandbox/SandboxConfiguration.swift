/// How a ``SalesforceSandbox`` runs: where it listens, what it seeds, how long its tokens live
/// and which connected apps exist.
public struct SandboxConfiguration: Sendable {
    /// Address to listen on. Loopback unless ``allowRemote`` is set.
    public var host = "127.0.0.1"
    /// Port (0 picks a free one).
    public var port = 0
    /// Refuse to start on a non-loopback address unless true.
    public var allowRemote = false
    /// The seeded data.
    public var seed = SeedData()
    /// Lifetime of issued access tokens (Salesforce's session timeout; no `expires_in` is sent).
    public var tokenLifetime: Duration = .seconds(7200)
    /// How far in the past an assertion's `exp` may be (clock skew allowance).
    public var assertionLeeway: Duration = .seconds(0)
    /// The org's daily API request limit (`Sforce-Limit-Info`, then `REQUEST_LIMIT_EXCEEDED`).
    public var dailyApiLimit = 100_000
    /// Custom fields the org's admin created, on top of the stock objects (none by default).
    public var customFields: [CustomField] = []
    /// Object permissions narrower than full access (an admin's forgotten permission); none by default.
    public var objectAccess: [ObjectAccess] = []
    /// Connected apps registered at start (more can be added through the control API).
    public var connectedApps: [ConnectedApp] = []
    /// How often the simulated agent works the Cases opened through the API (nil: no agent).
    public var agentInterval: Duration?
    /// The Enhanced Messaging deployment (live-agent handoffs).
    public var messaging = MessagingConfiguration()
    /// The Dynamics 365 side (Live Assist's contact lookups).
    public var dynamics = DynamicsConfiguration()
    /// The 18-character org id.
    public var organizationID = "00DSBX000000001AAA"

    /// The defaults: loopback, a free port, seed 42.
    public init() {}
}
