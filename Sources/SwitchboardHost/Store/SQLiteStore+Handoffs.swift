import ConnectorKit
import Foundation
import GRDB

extension SQLiteStore {
    public func saveHandoff(_ record: HandoffRecord) async throws {
        let request = try StoredRows.requestJSON(record)
        try await write { db in try Self.save(record, request: request, db: db) }
    }

    /// Inserts or updates a handoff inside the caller's transaction (its position never moves back;
    /// its conversation is set once — an external module's handoff is stored before it has one).
    static func save(_ record: HandoffRecord, request: String, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO handoffs (id, connector, conversation_id, employee_id, status, last_event_id, request, end_reason,
                                  status_changed_at, status_entry_id, created_at, updated_at, last_entry_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, end_reason = excluded.end_reason,
                conversation_id = CASE handoffs.conversation_id WHEN '' THEN excluded.conversation_id ELSE handoffs.conversation_id END,
                status_changed_at = excluded.status_changed_at, status_entry_id = excluded.status_entry_id,
                updated_at = excluded.updated_at
            """).execute(arguments: [record.id, record.connector, record.conversationId, record.employeeId, record.status.rawValue,
                                     record.lastEventId, request, record.endReason, record.statusChangedAt?.timeIntervalSince1970,
                                     record.statusEntryId, record.createdAt.timeIntervalSince1970, record.updatedAt.timeIntervalSince1970,
                                     record.lastEntryAt?.timeIntervalSince1970])
        // The stream position only moves forward (an event may have advanced it meanwhile).
        try Self.advance(HandoffPosition(handoffId: record.id, lastEventId: record.lastEventId, lastEntryAt: record.lastEntryAt), db: db)
    }

    /// Moves a handoff's stored stream position forward (never back), inside the caller's transaction.
    static func advance(_ position: HandoffPosition, db: Database) throws {
        if let eventId = position.lastEventId {
            let stored = try String.fetchOne(db, sql: "SELECT last_event_id FROM handoffs WHERE id = ?", arguments: [position.handoffId])
            if HandoffPosition.eventID(eventId, isAtOrAfter: stored) {
                try db.cachedStatement(sql: "UPDATE handoffs SET last_event_id = ? WHERE id = ?").execute(arguments: [eventId, position.handoffId])
            }
        }
        if let at = position.lastEntryAt {
            try db.cachedStatement(sql: "UPDATE handoffs SET last_entry_at = ? WHERE id = ? AND (last_entry_at IS NULL OR last_entry_at < ?)")
                .execute(arguments: [at.timeIntervalSince1970, position.handoffId, at.timeIntervalSince1970])
        }
    }

    public func handoff(id: String) async throws -> HandoffRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM handoffs WHERE id = ?", arguments: [id]).map(Self.handoffRecord)
        }
    }

    public func openHandoffs(connector: String) async throws -> [HandoffRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM handoffs WHERE connector = ? AND status != 'ended' ORDER BY created_at, id", arguments: [connector])
                .map(Self.handoffRecord)
        }
    }

    static func handoffRecord(_ row: Row) throws -> HandoffRecord {
        let requestText: String = row["request"]
        var record = HandoffRecord(
            id: row["id"], connector: row["connector"], conversationId: row["conversation_id"], employeeId: row["employee_id"],
            status: Handoff.Status(rawValue: row["status"]) ?? .ended, lastEventId: row["last_event_id"],
            request: try StoredRows.request(fromJSON: requestText), endReason: row["end_reason"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
        record.statusChangedAt = (row["status_changed_at"] as Double?).map { Date(timeIntervalSince1970: $0) }
        record.statusEntryId = row["status_entry_id"]
        record.lastEntryAt = (row["last_entry_at"] as Double?).map { Date(timeIntervalSince1970: $0) }
        return record
    }
}
