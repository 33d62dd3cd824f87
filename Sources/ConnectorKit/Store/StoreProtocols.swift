import Foundation

/// A sync cursor for one connector and stream (`users`, `articles`, `cases`), opaque to the host.
public struct Checkpoint: Sendable, Hashable, Codable {
    /// The stream name.
    public var stream: String
    /// The module's cursor, e.g. `2026-11-20T10:00:00.000Z|003XX0000001`.
    public var cursor: String
    /// When it was written.
    public var updatedAt: Date

    /// Creates a checkpoint.
    public init(stream: String, cursor: String, updatedAt: Date) {
        self.stream = stream
        self.cursor = cursor
        self.updatedAt = updatedAt
    }
}

/// Durable per-connector state: checkpoints and small module-owned values. Implemented by the
/// host (SQLite by default); modules reach it through ``ConnectorContext/store``.
public protocol StateStore: Sendable {
    /// The checkpoint of a connector's stream.
    func checkpoint(connector: String, stream: String) async throws -> Checkpoint?
    /// Writes a module-owned value (`nil` deletes it).
    func setModuleState(connector: String, key: String, value: Data?) async throws
    /// Reads a module-owned value.
    func moduleState(connector: String, key: String) async throws -> Data?
}

/// A synced record on its way into the host's store.
public enum SyncRecord: Sendable, Hashable {
    /// A person (users stream).
    case user(UserRecord)
    /// A knowledge article (articles stream).
    case article(KnowledgeArticle)
}

/// Records read from one page, the ids that vanished, and the checkpoint that covers them.
/// The host writes all of it in one transaction: the checkpoint never moves ahead of the data.
public struct RecordBatch: Sendable, Hashable {
    /// The connector.
    public var connector: String
    /// The stream: ``SyncStream/users``, ``SyncStream/articles``, a sub-stream of one, or a cursor-only stream.
    public var stream: SyncStream
    /// Records to insert or replace.
    public var upserts: [SyncRecord]
    /// Ids to remove.
    public var deletions: [String]
    /// The cursor after this batch, or `nil` to leave it.
    public var checkpoint: String?

    /// Creates a batch.
    public init(connector: String, stream: SyncStream, upserts: [SyncRecord], deletions: [String] = [], checkpoint: String?) {
        self.connector = connector
        self.stream = stream
        self.upserts = upserts
        self.deletions = deletions
        self.checkpoint = checkpoint
    }
}

/// What a committed ``RecordBatch`` changed.
public struct CommitResult: Sendable, Hashable {
    /// Stored records the batch's deletions removed (ids that were not stored count for nothing).
    public var removed: Int

    /// Creates a result.
    public init(removed: Int) { self.removed = removed }
}

/// Where synced records go. ``commit(_:)`` returns only after the batch is durable.
public protocol RecordSink: Sendable {
    /// Writes records, deletions and checkpoint atomically; says how many stored records the
    /// deletions removed.
    @discardableResult
    func commit(_ batch: RecordBatch) async throws -> CommitResult
    /// After a full read: removes the stream's records whose ids are not in `ids` (they vanished
    /// upstream) and returns how many went.
    func reconcile(connector: String, stream: SyncStream, keeping ids: Set<String>) async throws -> Int
    /// After a full read that may have been interrupted and resumed: removes the stream's records
    /// not written since `date` (every record the read saw was written again) and returns how many went.
    func reconcile(connector: String, stream: SyncStream, writtenBefore date: Date) async throws -> Int
}

/// An event for the assistant, appended to the host's durable event log.
public struct ConnectorEvent: Sendable, Hashable {
    /// What the event is about.
    public enum Payload: Sendable, Hashable {
        /// A ticket changed.
        case ticket(TicketEvent)
        /// Something happened in a live-agent handoff.
        case handoff(HandoffEvent)
        /// An event type of the module's own.
        case module(ModuleEvent)
    }

    /// The connector that emitted it.
    public var connector: String
    /// The event.
    public var payload: Payload
    /// When set, the log keeps at most one event per connector with this key: emitting it again
    /// returns the first one's id and appends nothing (a handoff entry delivered exactly once,
    /// even when a reconnect or a restart sees it twice).
    public var deduplicationKey: String?
    /// When set, the handoff's stored stream position moves to it (never backwards) in the same
    /// transaction as the event: what was relayed and how far the stream was read stay together.
    public var handoffPosition: HandoffPosition?
    /// When set, the handoff as it stands after this event (a new status) is saved in the same
    /// transaction: whoever reads the event can read the status it brought.
    public var handoffState: HandoffRecord?

    /// Creates an event.
    public init(connector: String, payload: Payload, deduplicationKey: String? = nil, handoffPosition: HandoffPosition? = nil,
                handoffState: HandoffRecord? = nil) {
        self.connector = connector
        self.payload = payload
        self.deduplicationKey = deduplicationKey
        self.handoffPosition = handoffPosition
        self.handoffState = handoffState
    }
}

/// How far a handoff's events were relayed: the event-stream id (`Last-Event-Id` on resume) and
/// the time of the newest conversation entry (where a history backfill may stop).
public struct HandoffPosition: Sendable, Hashable {
    /// The handoff.
    public var handoffId: String
    /// The stream event id the entry came with (nil when it came from the history).
    public var lastEventId: String?
    /// The entry's time.
    public var lastEntryAt: Date?

    /// Creates a position.
    public init(handoffId: String, lastEventId: String?, lastEntryAt: Date?) {
        self.handoffId = handoffId
        self.lastEventId = lastEventId
        self.lastEntryAt = lastEntryAt
    }

    /// Whether stream event id `a` is at or after `b` (numeric when both are; a missing one is before any).
    public static func eventID(_ a: String?, isAtOrAfter b: String?) -> Bool {
        guard let a else { return b == nil }
        guard let b else { return true }
        if let x = Int64(a), let y = Int64(b) { return x >= y }
        return a >= b
    }

    /// Moves `record`'s position to this one, never backwards.
    public func apply(to record: inout HandoffRecord) {
        if let lastEventId, Self.eventID(lastEventId, isAtOrAfter: record.lastEventId) { record.lastEventId = lastEventId }
        if let lastEntryAt, record.lastEntryAt.map({ lastEntryAt > $0 }) ?? true { record.lastEntryAt = lastEntryAt }
    }
}

/// The host's event log as modules see it.
public protocol EventSink: Sendable {
    /// Appends an event durably and returns its monotonic id — or, for an event whose
    /// ``ConnectorEvent/deduplicationKey`` is already in the log, the existing event's id.
    @discardableResult
    func emit(_ event: ConnectorEvent) async throws -> Int64
}

/// The people the host has synced (from every user-ingestion connector), looked up by email.
/// Modules use it before asking their external system (a ticket's requester, for instance).
public protocol UserDirectory: Sendable {
    /// Users whose email matches, case-insensitively, with the connector that synced each.
    func users(email: String) async throws -> [(connector: String, user: UserRecord)]
    /// The user a connector synced under an id (a Salesforce Contact id), if it did.
    func user(connector: String, id: String) async throws -> UserRecord?
}

/// A directory that knows nobody (hosts without a store of users).
public struct EmptyUserDirectory: UserDirectory {
    /// Creates the empty directory.
    public init() {}
    public func users(email: String) async throws -> [(connector: String, user: UserRecord)] { [] }
    public func user(connector: String, id: String) async throws -> UserRecord? { nil }
}
