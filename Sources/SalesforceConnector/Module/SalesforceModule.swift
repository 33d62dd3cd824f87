import ConnectorKit

/// The `salesforce` module: Service Cloud over the REST API with the OAuth 2.0 JWT bearer flow.
/// Features: ticketing (Case, CaseComment), user ingestion (Contact), knowledge (Knowledge__kav)
/// and live-agent handoffs over Enhanced Messaging.
public struct SalesforceModule: ConnectorModule {
    public let name = "salesforce"
    public let summary = "Salesforce Service Cloud: tickets (Case), contacts as users, knowledge articles — JWT bearer flow; live agents over Enhanced Messaging."
    public let features: [Feature] = [.ticketing, .userIngestion, .knowledge, .liveAgent]

    /// The module.
    public init() {}

    public var settings: SettingsSchema {
        SettingsSchema([
            SettingField("org", .object(SettingsSchema([
                SettingField("login_url", .url(keywords: ["sandbox"]), required: true,
                             summary: "Where to post the JWT assertion: https://login.salesforce.com, https://test.salesforce.com, your My Domain URL, or sandbox (the built-in sandbox org)."),
                SettingField("api_version", .string, default: .string("62.0"), summary: "REST API version, like 62.0."),
                SettingField("type", .oneOf(["production", "sandbox"]),
                             summary: "The kind of org, which decides the assertion's aud (https://login.salesforce.com or https://test.salesforce.com); read from login_url when absent (test.salesforce.com and *--name / *.sandbox.my.salesforce.com My Domains are sandboxes)."),
                SettingField("audience", .string, summary: "The assertion's aud when the org type does not decide it: an Experience Cloud site URL for its users."),
                SettingField("sandbox", .object(SettingsSchema([
                    SettingField("seed", .integer(min: 0), default: .integer(42), summary: "Seed of the generated data."),
                    SettingField("contacts", .integer(min: 0, max: 2_000_000), default: .integer(250), summary: "Contacts to generate."),
                    SettingField("cases", .integer(min: 0, max: 1_000_000), default: .integer(40), summary: "Cases to generate."),
                    SettingField("articles", .integer(min: 0, max: 1_000_000), default: .integer(30), summary: "Knowledge articles to generate."),
                    SettingField("port", .integer(min: 0, max: 65535), default: .integer(0), summary: "Port of the sandbox org (0: any free one)."),
                    SettingField("agent_interval", .duration, default: .duration(.seconds(5)),
                                 summary: "How often the sandbox's simulated agent works the Cases the assistant opened."),
                    SettingField("custom_fields", .map(.list(.string)), default: .object(SettingsObject()),
                                 summary: "Custom text fields the sandbox org has, by object (Case: [Category__c]); its objects are stock otherwise. ticketing.idempotency_field is added as an External ID."),
                ])), summary: "With login_url: sandbox, the built-in sandbox org's data (ignored otherwise)."),
            ])), required: true, summary: "The Salesforce org."),
            SettingField("auth", .object(SettingsSchema([
                SettingField("consumer_key", .sensitiveString, required: true, summary: "The connected app's consumer key (the assertion's iss)."),
                SettingField("username", .string, required: true, summary: "The integration user (the assertion's sub)."),
                SettingField("private_key", .secret, required: true, summary: "The PEM private key whose certificate is uploaded to the connected app."),
            ])), required: true, summary: "OAuth 2.0 JWT bearer credentials."),
            SettingField("ticketing", .object(SettingsSchema([
                SettingField("case_origin", .string, default: .string("Chat"), summary: "Origin of the Cases the assistant opens."),
                SettingField("watch_interval", .duration, default: .duration(.seconds(60)), summary: "How often to look for status changes and agent comments."),
                SettingField("idempotency_field", .string,
                             summary: "Optional: a Case text field marked External ID (Switchboard_Key__c) that receives each Idempotency-Key; creation then upserts by it. Unset (a stock org): the host keeps the keys."),
                SettingField("fields", .map(.string), default: .object(SettingsObject()),
                             summary: "Extra ticket fields the assistant may set: name → Case field (category: Category__c)."),
                SettingField("priorities", .list(.string), default: .list(["High", "Medium", "Low"].map(SettingValue.string)),
                             summary: "The Case Priority values the assistant may set (your org's picklist)."),
                SettingField("statuses", .list(.string), default: .list(["New", "Working", "Escalated", "Closed"].map(SettingValue.string)),
                             summary: "The Case Status values the assistant may set (your org's picklist)."),
                SettingField("unknown_requesters", .oneOf(["refuse", "supplied-email"]), default: .string("refuse"),
                             summary: "A requester e-mail no Contact has: refuse (400), or open the Case by SuppliedEmail alone."),
                SettingField("follow", .oneOf(["synced-users", "own"]), default: .string("synced-users"),
                             summary: "Which Cases the watcher reports on /v1/events: synced-users — also the open Cases of the employees user-ingestion synced (opened by e-mail, web or phone); own — only those the assistant opened."),
            ])), feature: .ticketing, summary: "Cases and comments for employees."),
            SettingField("user-ingestion", .object(SettingsSchema([
                SettingField("schedule", .duration, default: .duration(.seconds(900)), summary: "How often to read changed contacts."),
                SettingField("full_every", .duration, default: .duration(.seconds(86_400)),
                             summary: "How often a full read removes contacts that vanished (purged, or no longer matching where)."),
                SettingField("where", .string, summary: "A SOQL condition narrowing the contacts, like Email != null."),
                SettingField("fields", .list(.string), default: .list([]), summary: "Extra Contact fields to keep (Department, Title, custom __c fields)."),
                SettingField("batch_size", .integer(min: 200, max: 2000), default: .integer(2000), summary: "Rows per page asked of Salesforce."),
            ])), feature: .userIngestion, summary: "Contacts into the host's users table."),
            SettingField("knowledge", .object(SettingsSchema([
                SettingField("schedule", .duration, default: .duration(.seconds(3600)), summary: "How often to read changed articles."),
                SettingField("languages", .list(.string), default: .list([.string("en_US")]), summary: "Languages to load, like en_US."),
                SettingField("body_fields", .list(.string), default: .list([]),
                             summary: "Rich-text fields holding the body, like Body__c (HTML; kept, and converted to text for search)."),
                SettingField("object", .string, default: .string("Knowledge__kav"), summary: "The article version object (Knowledge__kav, or a Classic Type__kav)."),
                SettingField("batch_size", .integer(min: 200, max: 2000), default: .integer(2000), summary: "Rows per page asked of Salesforce."),
            ])), feature: .knowledge, summary: "Published articles into the host's store, searchable."),
            SettingField("live-agent", .object(SettingsSchema([
                SettingField("scrt_url", .url(schemes: ["https", "http"], keywords: ["sandbox"]), required: true,
                             summary: "The deployment's SCRT URL (https://MyDomain.my.salesforce-scrt.com), or sandbox."),
                SettingField("org_id", .string, required: true, summary: "The org id (00D…, 15 or 18 characters; sent as 15)."),
                SettingField("es_developer_name", .string, required: true, summary: "The Embedded Service deployment's API name (Custom Client / api type)."),
                SettingField("key_id", .string, required: true, summary: "The kid of the signing key in the user verification keyset."),
                SettingField("issuer", .string, required: true, summary: "The keyset's JSON Web Key Issuer: the JWT's iss, exactly."),
                SettingField("private_key", .secret, required: true, summary: "The PEM private key that signs user-verification JWTs (RS256)."),
                SettingField("certificate", .secret, summary: "Its certificate (x5c in /.well-known/jwks.json); a self-signed one is made when absent."),
                SettingField("next_keys", .list(.object(SettingsSchema([
                    SettingField("key_id", .string, required: true, summary: "The next key's kid."),
                    SettingField("certificate", .secret, required: true, summary: "The next key's certificate (PEM)."),
                ]))), default: .list([]), summary: "Keys to publish in the JWKS before they sign (rotation without downtime)."),
                SettingField("routing_attributes", .object(SettingsSchema([
                    SettingField("user", .string, default: .string("User_Id__c"), summary: "Pre-chat field that receives the employee id."),
                    SettingField("topic", .string, default: .string("Issue_Topic__c"), summary: "Pre-chat field that receives the topic (Omni-Channel routes on it)."),
                ])), summary: "Pre-chat (routing attribute) field names."),
                SettingField("topics", .list(.string), default: .list([]), summary: "Topics the assistant may hand off with (each routes to a queue); empty: any."),
                SettingField("token_lifetime", .duration, default: .duration(.seconds(300)), summary: "Lifetime of each user-verification JWT."),
                SettingField("stream_idle_timeout", .duration, default: .duration(.seconds(90)),
                             summary: "Reconnect the event stream after this long without a byte (pings included)."),
            ])), feature: .liveAgent, summary: "Hand employees to human agents over Enhanced Messaging (Messaging for In-App and Web)."),
        ])
    }

    public func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        let settings = try SalesforceSettings(configuration.settings, vault: context.vault, liveAgent: configuration.isEnabled(.liveAgent))
        return SalesforceConnection(configuration: configuration, settings: settings, context: context)
    }
}
