import ConnectorKit

/// A `salesforce` connector's settings, typed.
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
            switch settings.value(at: "auth.consumer_key") {
            case .sensitive(let secret)?: consumerKey = try secret.revealedString()
            case .secret(let reference)?: consumerKey = try vault.resolve(reference).revealedString()
            case .string(let text)?: consumerKey = text
            default: throw ConnectorError.misconfigured("auth.consumer_key is missing", field: "auth.consumer_key")
            }
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError.misconfigured("auth.consumer_key cannot be read: \(error)", field: "auth.consumer_key")
        }
        credentials = .init(consumerKey: consumerKey, username: try settings.requiredText("auth.username"), loginURL: loginURL,
                            audience: settings.value(at: "org.audience")?.stringValue, privateKey: try settings.requiredSecret("auth.private_key"))
        apiVersion = settings.value(at: "org.api_version")?.stringValue ?? "62.0"
        contacts = ContactSync.Settings(
            fields: settings.value(at: "user-ingestion.fields")?.listValue?.compactMap(\.stringValue) ?? [],
            whereClause: settings.value(at: "user-ingestion.where")?.stringValue,
            batchSize: settings.value(at: "user-ingestion.batch_size")?.integerValue ?? 2000)
        contactSchedule = settings.value(at: "user-ingestion.schedule")?.durationValue ?? .seconds(900)
        contactFullEvery = settings.value(at: "user-ingestion.full_every")?.durationValue ?? .seconds(86_400)
        var mapping: [String: String] = [:]
        if let object = settings.value(at: "ticketing.fields")?.objectValue {
            for key in object.keys { if let field = object[key]?.stringValue { mapping[key] = field } }
        }
        ticketing = CaseTicketing.Settings(
            caseOrigin: settings.value(at: "ticketing.case_origin")?.stringValue ?? "Chat",
            idempotencyField: settings.value(at: "ticketing.idempotency_field")?.stringValue,
            fieldMapping: mapping,
            watchInterval: settings.value(at: "ticketing.watch_interval")?.durationValue ?? .seconds(60))
        if let priorities = settings.value(at: "ticketing.priorities")?.listValue?.compactMap(\.stringValue) { ticketing.priorities = priorities }
        if let statuses = settings.value(at: "ticketing.statuses")?.listValue?.compactMap(\.stringValue) { ticketing.statuses = statuses }
        ticketing.allowUnknownRequesters = settings.value(at: "ticketing.unknown_requesters")?.stringValue == "supplied-email"
        knowledge = KnowledgeSync.Settings(
            object: settings.value(at: "knowledge.object")?.stringValue ?? "Knowledge__kav",
            languages: settings.value(at: "knowledge.languages")?.listValue?.compactMap(\.stringValue) ?? ["en_US"],
            bodyFields: settings.value(at: "knowledge.body_fields")?.listValue?.compactMap(\.stringValue) ?? [],
            batchSize: settings.value(at: "knowledge.batch_size")?.integerValue ?? 2000)
        knowledgeSchedule = settings.value(at: "knowledge.schedule")?.durationValue ?? .seconds(3600)
    }
}
