import ConnectorKit
import Foundation
import PostgresNIO
import SwitchboardHost

extension PostgresStore {
    // MARK: EventSink

    /// Appends under the event lock, so ids grow in commit order on every host (a reader that saw
    /// id N never later finds an N−1 committed behind it), with the handoff state and position the
    /// event carries in the same transaction; notifies every host's listener on commit.
    @discardableResult
    public func emit(_ event: ConnectorEvent) async throws -> Int64 {
        let entry = EventCatalog.entry(event.payload)
        let handoffRequest = try event.handoffState.map(StoredRows.requestJSON)
        let id = try await transaction { connection -> Int64 in
            try await self.checkFence(on: connection)
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.eventLock))", logger: logger)
            if let record = event.handoffState, let handoffRequest { try await self.save(record, request: handoffRequest, on: connection) }
            if let position = event.handoffPosition { try await self.advance(position, on: connection) }
            if let key = event.deduplicationKey {
                let rows = try await connection.query("SELECT id FROM events WHERE connector = \(event.connector) AND dedup_key = \(key)", logger: logger)
                for try await existing in rows.decode(Int64.self) { return existing }
            }
            var next: Int64 = 1
            for try await id in try await connection.query("SELECT COALESCE(MAX(id), 0) + 1 FROM events", logger: logger).decode(Int64.self) { next = id }
            try await connection.query("""
                INSERT INTO events (id, connector, type, payload, created_at, subject, dedup_key, occurred_at)
                VALUES (\(next), \(event.connector), \(entry.type), \(entry.data.description), \(Date().timeIntervalSince1970), \(entry.subject),
                        \(event.deduplicationKey), \(entry.time?.timeIntervalSince1970))
                """, logger: logger)
            try await connection.query("SELECT pg_notify(\(Self.eventChannel), \(String(next)))", logger: logger)
            return next
        }
        notifier.advance(to: id)
        return id
    }

    public func events(after id: Int64?, subject: String?, limit: Int) async throws -> [StoredEvent] {
        let after = id ?? 0
        let rows = if let subject {
            try await client.query("""
                SELECT id, connector, type, payload, created_at, subject, occurred_at FROM events
                WHERE subject = \(subject) AND id > \(after) ORDER BY id LIMIT \(limit)
                """, logger: logger)
        } else {
            try await client.query("""
                SELECT id, connector, type, payload, created_at, subject, occurred_at FROM events WHERE id > \(after) ORDER BY id LIMIT \(limit)
                """, logger: logger)
        }
        var events: [StoredEvent] = []
        for try await (id, connector, type, payload, created, subject, occurred) in rows.decode((Int64, String, String, String, Double, String?, Double?).self) {
            let createdAt = Date(timeIntervalSince1970: created)
            events.append(StoredEvent(id: id, connector: connector, type: type, payload: payload, subject: subject,
                                      time: occurred.map(Date.init(timeIntervalSince1970:)) ?? createdAt, createdAt: createdAt))
        }
        return events
    }

    public func latestEventID() async throws -> Int64 {
        for try await id in try await client.query("SELECT COALESCE(MAX(id), 0) FROM events", logger: logger).decode(Int64.self) { return id }
        return 0
    }

    public func waitForEvent(after id: Int64) async throws {
        if try await latestEventID() > id { return }
        try await notifier.wait(beyond: id)
    }

    // MARK: HandoffStore

    public func saveHandoff(_ record: HandoffRecord) async throws {
        let request = try StoredRows.requestJSON(record)
        try await transaction { connection in
            try await self.checkFence(on: connection)
            try await self.save(record, request: request, on: connection)
        }
    }

    /// Inserts or updates a handoff in the caller's transaction (its position never moves back; its
    /// conversation is set once), as the SQLite store does.
    func save(_ record: HandoffRecord, request: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO handoffs (id, connector, conversation_id, employee_id, status, last_event_id, request, end_reason,
                                  status_changed_at, status_entry_id, created_at, updated_at, last_entry_at)
            VALUES (\(record.id), \(record.connector), \(record.conversationId), \(record.employeeId), \(record.status.rawValue),
                    \(record.lastEventId), \(request), \(record.endReason), \(record.statusChangedAt?.timeIntervalSince1970),
                    \(record.statusEntryId), \(record.createdAt.timeIntervalSince1970), \(record.updatedAt.timeIntervalSince1970),
                    \(record.lastEntryAt?.timeIntervalSince1970))
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, end_reason = excluded.end_reason,
                conversation_id = CASE handoffs.conversation_id WHEN '' THEN excluded.conversation_id ELSE handoffs.conversation_id END,
                status_changed_at = excluded.status_changed_at, status_entry_id = excluded.status_entry_id, updated_at = excluded.updated_at
            """, logger: logger)
        try await advance(HandoffPosition(handoffId: record.id, lastEventId: record.lastEventId, lastEntryAt: record.lastEntryAt), on: connection)
    }

    /// Moves a handoff's stream position forward (never back), in the caller's transaction.
    func advance(_ position: HandoffPosition, on connection: PostgresConnection) async throws {
        if let eventId = position.lastEventId {
            var stored: String?
            let rows = try await connection.query("SELECT last_event_id FROM handoffs WHERE id = \(position.handoffId) FOR UPDATE", logger: logger)
            for try await value in rows.decode(String?.self) { stored = value }
            if HandoffPosition.eventID(eventId, isAtOrAfter: stored) {
                try await connection.query("UPDATE handoffs SET last_event_id = \(eventId) WHERE id = \(position.handoffId)", logger: logger)
            }
        }
        if let at = position.lastEntryAt?.timeIntervalSince1970 {
            try await connection.query("""
                UPDATE handoffs SET last_entry_at = \(at) WHERE id = \(position.handoffId) AND (last_entry_at IS NULL OR last_entry_at < \(at))
                """, logger: logger)
        }
    }

    public func handoff(id: String) async throws -> HandoffRecord? {
        try await handoffs(try await client.query("SELECT \(unescaped: Self.handoffColumns) FROM handoffs WHERE id = \(id)", logger: logger)).first
    }

    public func openHandoffs(connector: String) async throws -> [HandoffRecord] {
        try await handoffs(try await client.query("""
            SELECT \(unescaped: Self.handoffColumns) FROM handoffs WHERE connector = \(connector) AND status <> 'ended' ORDER BY created_at, id COLLATE "C"
            """, logger: logger))
    }

    static let handoffColumns = """
        id, connector, conversation_id, employee_id, status, last_event_id, request, end_reason, status_changed_at, status_entry_id,
        created_at, updated_at, last_entry_at
        """

    func handoffs(_ rows: PostgresRowSequence) async throws -> [HandoffRecord] {
        var records: [HandoffRecord] = []
        for try await row in rows {
            let (id, connector, conversation, employee, status, lastEvent, request, endReason, statusChangedAt, statusEntryId,
                 createdAt, updatedAt, lastEntryAt) =
                try row.decode((String, String, String, String, String, String?, String, String?, Double?, String?, Double, Double, Double?).self)
            var record = HandoffRecord(
                id: id, connector: connector, conversationId: conversation, employeeId: employee,
                status: Handoff.Status(rawValue: status) ?? .ended, lastEventId: lastEvent,
                request: try StoredRows.request(fromJSON: request), endReason: endReason,
                createdAt: Date(timeIntervalSince1970: createdAt), updatedAt: Date(timeIntervalSince1970: updatedAt))
            record.statusChangedAt = statusChangedAt.map(Date.init(timeIntervalSince1970:))
            record.statusEntryId = statusEntryId
            record.lastEntryAt = lastEntryAt.map(Date.init(timeIntervalSince1970:))
            records.append(record)
        }
        return records
    }
}
