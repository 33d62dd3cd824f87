import Foundation

/// A live-agent handoff as the host keeps it: which conversation, whose, where it stands and how
/// far its event stream was read — enough to resume it after a restart.
public struct HandoffRecord: Sendable, Hashable, Codable {
    /// The host's handoff id (`ho_…`).
    public var id: String
    /// The connector that runs it.
    public var connector: String
    /// The external conversation id.
    public var conversationId: String
    /// The employee.
    public var employeeId: String
    /// Where it stands.
    public var status: Handoff.Status
    /// The last event-stream id processed for the employee's stream (`Last-Event-Id` on resume).
    public var lastEventId: String?
    /// The time of the newest conversation entry relayed (a history backfill reads back to it).
    public var lastEntryAt: Date?
    /// What the assistant asked for (routing attributes are sent again when a session reopens).
    public var request: HandoffRequest
    /// Why it ended, when it did for a reason worth telling (routing failed, session expired).
    public var endReason: String?
    /// The external time of the entry that set ``status`` (older entries seen again change nothing).
    public var statusChangedAt: Date?
    /// The identifier of that entry.
    public var statusEntryId: String?
    /// When it was created.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// Creates a record.
    public init(id: String, connector: String, conversationId: String, employeeId: String, status: Handoff.Status,
                lastEventId: String? = nil, request: HandoffRequest, endReason: String? = nil, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.connector = connector
        self.conversationId = conversationId
        self.employeeId = employeeId
        self.status = status
        self.lastEventId = lastEventId
        self.request = request
        self.endReason = endReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The handoff as the assistant sees it.
    public var handoff: Handoff { Handoff(id: id, conversationId: conversationId, employeeId: employeeId, status: status) }
}

/// Durable handoffs. Implemented by the host (SQLite by default); modules reach it through
/// ``ConnectorContext/handoffs``.
public protocol HandoffStore: Sendable {
    /// Inserts or replaces a handoff.
    func saveHandoff(_ record: HandoffRecord) async throws
    /// A handoff by id.
    func handoff(id: String) async throws -> HandoffRecord?
    /// A connector's handoffs that have not ended, oldest first.
    func openHandoffs(connector: String) async throws -> [HandoffRecord]
}

/// A ``HandoffStore`` view limited to one connector.
public struct ScopedHandoffStore: Sendable {
    /// The connector whose handoffs these are.
    public let connector: String
    let base: any HandoffStore

    /// Creates a view.
    public init(connector: String, base: any HandoffStore) {
        self.connector = connector
        self.base = base
    }

    /// Inserts or replaces a handoff of this connector.
    public func save(_ record: HandoffRecord) async throws {
        var record = record
        record.connector = connector
        try await base.saveHandoff(record)
    }

    /// One of this connector's handoffs.
    public func handoff(id: String) async throws -> HandoffRecord? {
        try await base.handoff(id: id).flatMap { $0.connector == connector ? $0 : nil }
    }

    /// This connector's open handoffs.
    public func open() async throws -> [HandoffRecord] { try await base.openHandoffs(connector: connector) }
}
