import ServiceLifecycle

/// A sync stopped between two commits because the host shuts down or restarts the connector (a
/// reload changed its settings): what was read is committed, and the next run resumes from the
/// checkpoint. ``ScheduledWork`` ends quietly on it; a sync checks with ``checkShutdown()`` after
/// each commit, so a graceful shutdown never waits for a long sync to finish.
public struct SyncInterrupted: Error, Sendable, Hashable, CustomStringConvertible {
    /// Creates the error.
    public init() {}

    public var description: String { "interrupted by a graceful shutdown; the next run resumes from the checkpoint" }

    /// Throws ``SyncInterrupted`` once a graceful shutdown of the connector has begun.
    public static func checkShutdown() throws(SyncInterrupted) {
        if Task.isShuttingDownGracefully { throw SyncInterrupted() }
    }
}
