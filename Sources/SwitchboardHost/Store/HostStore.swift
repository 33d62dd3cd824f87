import ConnectorKit

/// Everything the host keeps: what connectors are handed (checkpoints and module state, synced
/// records, the event log, people, handoffs) and what the API and the admin commands read. The
/// embedded default is ``SQLiteStore``; several hosts share a PostgreSQL one.
public protocol HostStore: StateStore, RecordSink, EventSink, UserDirectory, HandoffStore {
    /// Full-text search over the synced articles, best first, with snippets.
    func searchArticles(_ query: String, language: String?, limit: Int) async throws -> [ArticleHit]
    /// Events after `id` (all when nil), oldest first, at most `limit`; only `subject`'s when given.
    func events(after id: Int64?, subject: String?, limit: Int) async throws -> [StoredEvent]
    /// The newest event's id (0 when there is none).
    func latestEventID() async throws -> Int64
    /// Returns once an event newer than `id` exists; throws `CancellationError` when cancelled.
    func waitForEvent(after id: Int64) async throws
    /// How many records a connector's stream holds.
    func count(connector: String, stream: String) async throws -> Int
    /// The ids a connector's stream holds, in order.
    func ids(connector: String, stream: String) async throws -> [String]
    /// A connector's checkpoints (one stream or all).
    func checkpoints(connector: String, stream: String?) async throws -> [Checkpoint]
    /// Forgets a connector's checkpoints (one stream or all); says how many went.
    func resetCheckpoints(connector: String, stream: String?) async throws -> Int
    /// Whether the store answers, and its leases as `host` sees them (readiness).
    func status(host: String) async -> StoreStatus
}

extension SQLiteStore: HostStore {
    /// A file this process has open: it answers; one host, no leases.
    public func status(host: String) async -> StoreStatus { StoreStatus(kind: "sqlite", reachable: true) }
}
