import ConnectorKit

/// The `live-agent` section of a `salesforce` connector: the Enhanced Messaging deployment and
/// the user-verification key (DESIGN.md §4).
struct LiveAgentSettings: Sendable {
    /// The SCRT URL (`https://{MyDomain}.my.salesforce-scrt.com`, or the sandbox's base URL).
    var scrtURL: String
    /// The org id, sent as its first 15 characters.
    var orgId: String
    /// The deployment's API name.
    var esDeveloperName: String
    /// The `kid` of the signing key, as uploaded (or published) in the keyset.
    var keyID: String
    /// The keyset's issuer (`iss`).
    var issuer: String
    /// The signing key.
    var privateKey: SecretReference
    /// Its certificate (for `x5c` in the JWKS), when configured.
    var certificate: SecretReference?
    /// Further keys to publish before they sign (rotation): kid → certificate.
    var publishedKeys: [(keyID: String, certificate: SecretReference)]
    /// Pre-chat field that receives the employee id.
    var userAttribute: String
    /// Pre-chat field that receives the topic.
    var topicAttribute: String
    /// Allowed topics (empty: any).
    var topics: [String]
    /// Lifetime of each user-verification JWT.
    var tokenLifetime: Duration
    /// Idle timeout of the event stream (no byte, not even a ping).
    var streamIdleTimeout: Duration

    /// The 15-character org id for `X-Org-Id`.
    var orgId15: String { String(orgId.prefix(15)) }

    init(_ settings: SettingsObject) throws {
        scrtURL = try settings.requiredURL("live-agent.scrt_url")
        orgId = try settings.requiredText("live-agent.org_id")
        guard orgId.hasPrefix("00D"), [15, 18].contains(orgId.count) else {
            throw ConnectorError.misconfigured("live-agent.org_id must be the 15- or 18-character org id (it starts with 00D)", field: "live-agent.org_id")
        }
        esDeveloperName = try settings.requiredText("live-agent.es_developer_name")
        keyID = try settings.requiredText("live-agent.key_id")
        issuer = try settings.requiredText("live-agent.issuer")
        privateKey = try settings.requiredSecret("live-agent.private_key")
        certificate = settings.value(at: "live-agent.certificate")?.secretValue
        publishedKeys = (settings.value(at: "live-agent.next_keys")?.listValue ?? []).compactMap { item in
            guard let object = item.objectValue, let kid = object["key_id"]?.stringValue, let certificate = object["certificate"]?.secretValue else { return nil }
            return (kid, certificate)
        }
        userAttribute = try settings.requiredText("live-agent.routing_attributes.user")
        topicAttribute = try settings.requiredText("live-agent.routing_attributes.topic")
        topics = try settings.requiredStrings("live-agent.topics")
        tokenLifetime = try settings.requiredDuration("live-agent.token_lifetime")
        streamIdleTimeout = try settings.requiredDuration("live-agent.stream_idle_timeout")
    }
}
