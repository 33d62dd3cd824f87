import ConnectorKit
import Foundation
import GRDB

/// An entry of the durable event log, as the assistant reads it (`/v1/events`).
public struct StoredEvent: Sendable, Hashable {
    /// Monotonic id (the SSE `id:` and the `Last-Event-ID` to resume from).
    public var id: Int64
    /// The connector that emitted it.
    public var connector: String
    /// `ticket.status_changed`, `ticket.comment_added`, `handoff.…`.
    public var type: String
    /// The event as JSON (sorted keys, ISO 8601 dates).
    public var payload: String
    /// When it was appended.
    public var createdAt: Date

    /// The type name and JSON of a payload.
    static func encode(_ payload: ConnectorEvent.Payload) throws -> (String, String) {
        switch payload {
        case .ticket(let event):
            let type = switch event.kind {
            case .statusChanged: "ticket.status_changed"
            case .publicCommentAdded: "ticket.comment_added"
            }
            return (type, String(decoding: try JSONEncoder.sorted.encode(event), as: UTF8.self))
        case .handoff(let event):
            return ("handoff.\(Self.snakeCase(String(describing: event.kind).prefix { $0 != "(" }))",
                    String(decoding: try JSONEncoder.sorted.encode(event), as: UTF8.self))
        case .module(let event):
            return (event.type, event.data.description)
        }
    }

    /// What an event is about, for per-subject streams: the handoff id or the ticket id.
    static func subject(of payload: ConnectorEvent.Payload) -> String? {
        switch payload {
        case .handoff(let event): event.handoffId
        case .ticket(let event): event.ticketId
        case .module(let event): event.subject
        }
    }

    static func snakeCase(_ name: some StringProtocol) -> String {
        var out = ""
        for character in name {
            if character.isUppercase, !out.isEmpty { out += "_" }
            out += character.lowercased()
        }
        return out
    }
}

extension SQLiteStore {
    /// Events after `id` (all when nil), oldest first, at most `limit`; only those about
    /// `subject` (a handoff or ticket id) when given.
    public func events(after id: Int64?, subject: String? = nil, limit: Int = 500) async throws -> [StoredEvent] {
        try await pool.read { db in
            let rows = if let subject {
                try Row.fetchAll(db, sql: "SELECT id, connector, type, payload, created_at FROM events WHERE subject = ? AND id > ? ORDER BY id LIMIT ?",
                                 arguments: [subject, id ?? 0, limit])
            } else {
                try Row.fetchAll(db, sql: "SELECT id, connector, type, payload, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?",
                                 arguments: [id ?? 0, limit])
            }
            return rows
                .map { StoredEvent(id: $0["id"], connector: $0["connector"], type: $0["type"], payload: $0["payload"],
                                   createdAt: Date(timeIntervalSince1970: $0["created_at"])) }
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
