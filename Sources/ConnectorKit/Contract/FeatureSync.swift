/// One sync a connector runs on demand (`switchboard sync CONNECTOR --feature F`) — the built-in
/// user-ingestion and knowledge syncs, or one of a feature a module declares itself.
public struct FeatureSync: Sendable {
    /// The feature the sync belongs to.
    public var feature: Feature
    /// What its records are called in progress output (`users`, `articles`).
    public var noun: String
    /// Runs it once.
    public var run: @Sendable (_ mode: SyncMode, _ progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport

    /// Creates a sync.
    public init(feature: Feature, noun: String,
                run: @escaping @Sendable (_ mode: SyncMode, _ progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport) {
        self.feature = feature
        self.noun = noun
        self.run = run
    }
}
