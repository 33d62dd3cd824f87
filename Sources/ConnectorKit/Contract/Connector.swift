import ServiceLifecycle

/// One running connector instance: a long-running service plus the feature interfaces it implements.
///
/// `run()` is called by the host's supervisor and must return when graceful shutdown is triggered
/// (see swift-service-lifecycle's `gracefulShutdown()` and `cancelWhenGracefulShutdown`). If it
/// throws, the host restarts it with capped exponential backoff; other connectors keep running.
public protocol Connector: Service {
    /// Checks the external system and the connector's own state, for readiness and `switchboard doctor`.
    func check() async -> HealthReport

    /// The ticketing interface, when the connector provides ``Feature/ticketing``.
    var ticketing: (any Ticketing)? { get }
    /// The user-ingestion interface, when the connector provides ``Feature/userIngestion``.
    var userIngestion: (any UserIngestion)? { get }
    /// The knowledge-load interface, when the connector provides ``Feature/knowledge``.
    var knowledge: (any KnowledgeLoad)? { get }
    /// The live-agent interface, when the connector provides ``Feature/liveAgent`` by relaying the
    /// conversation itself.
    var liveAgent: (any LiveAgent)? { get }
    /// The chat-token interface, when the connector provides ``Feature/liveAgent`` by authorising the
    /// external service's own chat client (Live Assist) instead.
    var chatTokens: (any ChatTokenIssuer)? { get }
    /// The syncs `switchboard sync` can run: by default the user-ingestion and knowledge syncs of the
    /// interfaces above; a module with a sync feature of its own adds it here.
    var syncs: [FeatureSync] { get }
    /// The public keys the connector signs with (or soon will), for the host's
    /// `/.well-known/jwks.json`: Salesforce's "Endpoint URL" keyset reads them there.
    func publishedKeys() async throws -> [JWK]
    /// What `switchboard doctor` reports for the connector: every Setup step its enabled features
    /// rely on, checked against the external system (token exchanges, object and field access,
    /// deployments), each with its fix. By default, ``check()``'s checks.
    func diagnose() async -> [Diagnosis]
}

extension Connector {
    public var ticketing: (any Ticketing)? { nil }
    public var userIngestion: (any UserIngestion)? { nil }
    public var knowledge: (any KnowledgeLoad)? { nil }
    public var liveAgent: (any LiveAgent)? { nil }
    public var chatTokens: (any ChatTokenIssuer)? { nil }
    public func publishedKeys() async throws -> [JWK] { [] }
    public func diagnose() async -> [Diagnosis] { await check().diagnoses }

    public var syncs: [FeatureSync] { builtInSyncs }

    /// The user-ingestion and knowledge syncs of ``userIngestion`` and ``knowledge``.
    public var builtInSyncs: [FeatureSync] {
        var syncs: [FeatureSync] = []
        if let users = userIngestion {
            syncs.append(FeatureSync(feature: .userIngestion, noun: "users") { try await users.syncUsers(mode: $0, progress: $1) })
        }
        if let knowledge {
            syncs.append(FeatureSync(feature: .knowledge, noun: "articles") { try await knowledge.syncArticles(mode: $0, progress: $1) })
        }
        return syncs
    }
}
