import ConnectorKit

/// A `salesforce` connector's settings, typed, decoded once from the validated settings: every
/// default is the schema's (``SalesforceModule/settings``), never restated here.
struct SalesforceSettings: Sendable {
    var credentials: SalesforceJWTBearerAuth.Credentials
    var apiVersion: String
    var contacts: ContactSync.Settings
    var contactSchedule: Duration
    var contactFullEvery: Duration
    var ticketing: CaseTicketing.Settings
    var knowledge: KnowledgeSync.Settings
    var knowledgeSchedule: Duration
    /// The `live-agent` section, when that feature is enabled.
    var liveAgent: LiveAgentSettings?

    init(_ settings: SettingsObject, vault: CredentialVault, liveAgent: Bool) throws {
        self.liveAgent = liveAgent ? try LiveAgentSettings(settings) : nil
        let loginURL = try settings.requiredURL("org.login_url")
        let consumerKey: String
        do {
            guard let text = try settings.value(at: "auth.consumer_key")?.sensitiveText(resolve: { try vault.resolve($0).revealedString() }) else {
                throw ConnectorError.misconfigured("auth.consumer_key is missing", field: "auth.consumer_key")
            }
            consumerKey = text
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError.misconfigured("auth.consumer_key cannot be read: \(error)", field: "auth.consumer_key")
        }
        credentials = .init(consumerKey: consumerKey, username: try settings.requiredText("auth.username"), loginURL: loginURL,
                            audience: SalesforceAudience.resolve(settings), privateKey: try settings.requiredSecret("auth.private_key"))
        apiVersion = try settings.requiredText("org.api_version")
        contacts = try ContactSync.Settings(section: settings)
        contactSchedule = try settings.requiredDuration("user-ingestion.schedule")
        contactFullEvery = try settings.requiredDuration("user-ingestion.full_every")
        ticketing = try CaseTicketing.Settings(section: settings)
        knowledge = try KnowledgeSync.Settings(section: settings)
        knowledgeSchedule = try settings.requiredDuration("knowledge.schedule")
    }
}
