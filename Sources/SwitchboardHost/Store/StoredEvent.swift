import ConnectorKit
import Foundation
import GRDB

/// An entry of the durable event log, as the assistant reads it (`/v1/events`): the type and data
/// ``EventCatalog`` declares, in a CloudEvents 1.0 envelope (``envelope``).
public struct StoredEvent: Sendable, Hashable {
    /// Monotonic id (the SSE `id:` and the `Last-Event-ID` to resume from).
    public var id: Int64
    /// The connector that emitted it.
    public var connector: String
    /// `ticket.status_changed`, `handoff.agent_message`, … (``EventCatalog/types``) or a module's own.
    public var type: String
    /// The event's data: a flat JSON object, its fields named by ``EventCatalog``.
    public var payload: String
    /// What it is about: a handoff or ticket id.
    public var subject: String?
    /// When it happened at its source (when it was appended, when the source gave no time).
    public var time: Date
    /// When it was appended.
    public var createdAt: Date

    /// An entry as a store reads it back.
    public init(id: Int64, connector: String, type: String, payload: String, subject: String?, time: Date, createdAt: Date) {
        self.id = id
        self.connector = connector
        self.type = type
        self.payload = payload
        self.subject = subject
        self.time = time
        self.createdAt = createdAt
    }

    /// The CloudEvents 1.0 JSON form (structured mode) the API sends: `specversion`, `id`, `source`,
    /// `type`, `subject`, `time`, `datacontenttype`, the `connector` extension, and `data`.
    public var envelope: String {
        var text = "{\"specversion\":\"1.0\",\"id\":\"\(id)\",\"source\":" + JSONValueText.quote("/connectors/" + connector)
            + ",\"type\":" + JSONValueText.quote(type)
        if let subject { text += ",\"subject\":" + JSONValueText.quote(subject) }
        text += ",\"time\":\"\(EventCatalog.timestamp(time))\",\"datacontenttype\":\"application/json\",\"connector\":" + JSONValueText.quote(connector)
        return text + ",\"data\":\(payload)}"
    }
}

extension SQLiteStore {
    /// Events after `id` (all when nil), oldest first, at most `limit`; only those about
    /// `subject` (a handoff or ticket id) when given.
    public func events(after id: Int64?, subject: String? = nil, limit: Int = 500) async throws -> [StoredEvent] {
        try await pool.read { db in
            let rows = if let subject {
                try Row.fetchAll(db, sql: "SELECT id, connector, type, payload, created_at, subject, occurred_at FROM events WHERE subject = ? AND id > ? ORDER BY id LIMIT ?",
                                 arguments: [subject, id ?? 0, limit])
            } else {
                try Row.fetchAll(db, sql: "SELECT id, connector, type, payload, created_at, subject, occurred_at FROM events WHERE id > ? ORDER BY id LIMIT ?",
                                 arguments: [id ?? 0, limit])
            }
            return rows.map { row in
                let created = Date(timeIntervalSince1970: row["created_at"])
                let occurred: Double? = row["occurred_at"]
                return StoredEvent(id: row["id"], connector: row["connector"], type: row["type"], payload: row["payload"], subject: row["subject"],
                                   time: occurred.map(Date.init(timeIntervalSince1970:)) ?? created, createdAt: created)
            }
        }
    }

    /// The newest event id (0 when the log is empty).
    public func latestEventID() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM events") ?? 0 }
    }

    /// Waits until an event newer than `id` exists in this process's log (or the task is cancelled).
    public func waitForEvent(after id: Int64) async throws {
        if try await latestEventID() > id { return }
        try await eventNotifier.wait(beyond: id)
    }
}
