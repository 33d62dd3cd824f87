import ConnectorKit
import Foundation

/// Follows Case and CaseComment changes by `(SystemModstamp, Id)` cursors and emits ticket events
/// into the host's event log: a status change (against the last status seen), and a public comment
/// written by someone other than the integration user (the employee's attention is needed).
///
/// The first run starts the cursors at the newest rows without emitting (history is not news).
/// An event is appended before its cursor moves: a crash in between repeats it (at least once).
struct CaseWatcher: Sendable {
    let rest: SalesforceREST
    let auth: SalesforceJWTBearerAuth
    let context: ConnectorContext

    static let caseStream = "cases-watch"
    static let commentStream = "comments-watch"

    /// One poll: returns how many events were emitted.
    @discardableResult
    func poll() async throws -> Int {
        var emitted = 0
        let integration = try await auth.session().userID
        guard let caseCursor = try await cursor(Self.caseStream, object: "Case"),
              let commentCursor = try await cursor(Self.commentStream, object: "CaseComment") else { return 0 }

        try await rest.query("SELECT Id, Status, SuppliedEmail, SystemModstamp FROM Case WHERE \(caseCursor.soqlCondition) ORDER BY SystemModstamp, Id") { page in
            var last: SyncCursor?
            for record in page.records {
                guard let id = record["Id"]?.stringValue, let status = record["Status"]?.stringValue,
                      let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) else { continue }
                let known = try await context.store.moduleState(key: "case-status/\(id)").map { String(decoding: $0, as: UTF8.self) }
                if let known, known != status {
                    try await context.events.emit(ConnectorEvent(connector: context.connectorName, payload: .ticket(TicketEvent(
                        ticketId: id, requesterEmail: record["SuppliedEmail"]?.stringValue, kind: .statusChanged(from: known, to: status), occurredAt: stamp))))
                    emitted += 1
                }
                if known != nil { try await context.store.setModuleState(key: "case-status/\(id)", value: Data(status.utf8)) }
                last = SyncCursor(modstamp: stamp, id: id)
            }
            if let last { try await commit(Self.caseStream, last) }
        }

        try await rest.query("""
            SELECT Id, ParentId, CommentBody, IsPublished, CreatedById, CreatedDate, SystemModstamp FROM CaseComment \
            WHERE \(commentCursor.soqlCondition) ORDER BY SystemModstamp, Id
            """) { page in
            var last: SyncCursor?
            for record in page.records {
                guard let id = record["Id"]?.stringValue, let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) else { continue }
                last = SyncCursor(modstamp: stamp, id: id)
                guard record["IsPublished"] == .bool(true), record["CreatedById"]?.stringValue != integration,
                      let caseID = record["ParentId"]?.stringValue,
                      try await context.store.moduleState(key: "case-status/\(caseID)") != nil else { continue }
                let comment = CaseTicketing.comment(from: record, integrationUserID: integration)
                try await context.events.emit(ConnectorEvent(connector: context.connectorName, payload: .ticket(TicketEvent(
                    ticketId: caseID, requesterEmail: nil, kind: .publicCommentAdded(comment), occurredAt: stamp))))
                emitted += 1
            }
            if let last { try await commit(Self.commentStream, last) }
        }
        return emitted
    }

    /// The stream's cursor; on the first run, set to the newest row (nil then: nothing to read yet).
    private func cursor(_ stream: String, object: String) async throws -> SyncCursor? {
        if let stored = try await context.store.checkpoint(stream: stream).flatMap({ SyncCursor($0.cursor) }) { return stored }
        let newest = try await rest.queryAll("SELECT Id, SystemModstamp FROM \(object) ORDER BY SystemModstamp DESC, Id DESC LIMIT 1").first
        let start = newest.flatMap { record -> SyncCursor? in
            guard let id = record["Id"]?.stringValue, let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) else { return nil }
            return SyncCursor(modstamp: stamp, id: id)
        } ?? SyncCursor(modstamp: Date(timeIntervalSince1970: 0), id: "")
        try await commit(stream, start)
        return start
    }

    private func commit(_ stream: String, _ cursor: SyncCursor) async throws {
        try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: stream, upserts: [], checkpoint: cursor.description))
    }
}
