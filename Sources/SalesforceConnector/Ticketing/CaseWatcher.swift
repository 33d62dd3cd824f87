import ConnectorKit
import Foundation

/// Follows Case and CaseComment changes by `(SystemModstamp, Id)` cursors and emits ticket events
/// into the host's event log: a status change (against the last status seen), and a public comment
/// written by someone other than the integration user (the employee's attention is needed).
///
/// Each poll re-reads ``overlap`` behind its cursors (see ``SyncCursor``: a change committed late
/// can sort behind the cursor). Re-reading is harmless: a Case whose status is the one last seen
/// emits nothing, and a comment is announced once — the comments announced within the overlap are
/// remembered, and its event carries a de-duplication key, so even a crash between the event and
/// the cursor does not announce it twice.
///
/// The first run starts the cursors at the newest rows without emitting (history is not news).
struct CaseWatcher: Sendable {
    let rest: SalesforceREST
    let auth: SalesforceJWTBearerAuth
    let context: ConnectorContext
    /// Also follow the open Cases of the employees this connector synced (`ticketing.follow: synced-users`).
    var followsSyncedUsers = true
    var overlap: Duration = SyncCursor.defaultOverlap

    static let caseStream = SyncStream.cursor("cases-watch")
    static let commentStream = SyncStream.cursor("comments-watch")
    /// Module state: the comments announced whose stamps are still inside the overlap (`id → stamp ms`).
    static let recentCommentsKey = "comments-watch.recent"

    /// One poll: returns how many events were emitted.
    @discardableResult
    func poll() async throws -> Int {
        var emitted = 0
        let integration = try await auth.session().userID
        guard let caseCursor = try await cursor(Self.caseStream, object: "Case"),
              let commentCursor = try await cursor(Self.commentStream, object: "CaseComment") else { return 0 }

        try await rest.query("SELECT Id, Status, IsClosed, SuppliedEmail, ContactId, SystemModstamp FROM Case WHERE \(caseCursor.soqlCondition(overlap: overlap)) ORDER BY SystemModstamp, Id") { page in
            var last: SyncCursor?
            for record in page.records {
                guard let id = record["Id"]?.stringValue, let status = record["Status"]?.stringValue,
                      let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) else { continue }
                last = SyncCursor(modstamp: stamp, id: id)
                if let known = try await state(Self.ownKey(id)) {
                    // A Case the host opened: followed for good.
                    guard known != status else { continue }
                    try await emitStatus(id, from: known, to: status, email: record["SuppliedEmail"]?.stringValue, at: stamp)
                    try await context.store.setModuleState(key: Self.ownKey(id), value: Data(status.utf8))
                    emitted += 1
                    continue
                }
                // A synced employee's Case opened by e-mail, web or phone: followed while it is open.
                guard followsSyncedUsers, let contact = record["ContactId"]?.stringValue,
                      let user = try await context.users.user(connector: context.connectorName, id: contact) else { continue }
                let known = try await state(Self.followedKey(id))
                let closed = record["IsClosed"] == .bool(true)
                if known == nil, closed { continue }  // first seen closed: nothing to follow
                if known != status {
                    try await emitStatus(id, from: known, to: status, email: user.email ?? record["SuppliedEmail"]?.stringValue, at: stamp)
                    emitted += 1
                }
                // Closed: forgotten (the state holds open Cases only); reopened, it is seen anew.
                try await context.store.setModuleState(key: Self.followedKey(id), value: closed ? nil : Data(status.utf8))
            }
            if let last { try await commit(Self.caseStream, max(last, caseCursor)) }
        }

        var recent = try await recentComments()
        try await rest.query("""
            SELECT Id, ParentId, CommentBody, IsPublished, CreatedById, CreatedDate, SystemModstamp FROM CaseComment \
            WHERE \(commentCursor.soqlCondition(overlap: overlap)) ORDER BY SystemModstamp, Id
            """) { page in
            var last: SyncCursor?
            for record in page.records {
                guard let id = record["Id"]?.stringValue, let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) else { continue }
                last = SyncCursor(modstamp: stamp, id: id)
                // Announced already (read again from the overlap). A comment that was not news
                // (unpublished) is looked at again: it may have been published since.
                guard recent[id] == nil else { continue }
                guard record["IsPublished"] == .bool(true), record["CreatedById"]?.stringValue != integration,
                      let caseID = record["ParentId"]?.stringValue else { continue }
                let own = try await state(Self.ownKey(caseID)) != nil
                let followed = followsSyncedUsers ? try await state(Self.followedKey(caseID)) != nil : false
                guard own || followed else { continue }
                let comment = CaseTicketing.comment(from: record, integrationUserID: integration)
                try await context.events.emit(ConnectorEvent(connector: context.connectorName, payload: .ticket(TicketEvent(
                    ticketId: caseID, requesterEmail: nil, kind: .publicCommentAdded(comment), occurredAt: stamp)),
                    deduplicationKey: "case-comment/\(id)"))
                recent[id] = Self.milliseconds(stamp)
                emitted += 1
            }
            if let last {
                let moved = max(last, commentCursor)
                try await saveRecentComments(recent, after: moved)
                try await commit(Self.commentStream, moved)
            }
        }
        return emitted
    }

    /// The state key of a Case the host opened (its last status seen).
    static func ownKey(_ id: String) -> String { "case-status/\(id)" }
    /// The state key of a synced employee's open Case the watcher follows.
    static func followedKey(_ id: String) -> String { "case-followed/\(id)" }

    private func state(_ key: String) async throws -> String? {
        try await context.store.moduleState(key: key).map { String(decoding: $0, as: UTF8.self) }
    }

    private func emitStatus(_ id: String, from: String?, to: String, email: String?, at stamp: Date) async throws {
        try await context.events.emit(ConnectorEvent(connector: context.connectorName, payload: .ticket(TicketEvent(
            ticketId: id, requesterEmail: email, kind: .statusChanged(from: from, to: to), occurredAt: stamp))))
    }

    /// The stream's cursor; on the first run, set to the newest row (nil then: nothing to read yet),
    /// and the comments inside the overlap remembered as announced (they are history too).
    private func cursor(_ stream: SyncStream, object: String) async throws -> SyncCursor? {
        if let stored = try await context.store.checkpoint(stream: stream).flatMap({ SyncCursor($0.cursor) }) { return stored }
        let newest = try await rest.queryAll("SELECT Id, SystemModstamp FROM \(object) ORDER BY SystemModstamp DESC, Id DESC LIMIT 1").first
        let start = newest.flatMap { record -> SyncCursor? in
            guard let id = record["Id"]?.stringValue, let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) else { return nil }
            return SyncCursor(modstamp: stamp, id: id)
        } ?? .origin
        if stream == Self.commentStream, start != .origin {
            var recent: [String: Int64] = [:]
            for record in try await rest.queryAll("SELECT Id, SystemModstamp FROM CaseComment WHERE \(start.soqlCondition(overlap: overlap))") {
                if let id = record["Id"]?.stringValue, let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) {
                    recent[id] = Self.milliseconds(stamp)
                }
            }
            try await saveRecentComments(recent, after: start)
        }
        try await commit(stream, start)
        return start
    }

    private func recentComments() async throws -> [String: Int64] {
        guard let data = try await context.store.moduleState(key: Self.recentCommentsKey) else { return [:] }
        return (try? JSONDecoder().decode([String: Int64].self, from: data)) ?? [:]
    }

    /// Keeps the handled comments a later poll can still read again (inside the overlap of `cursor`).
    private func saveRecentComments(_ recent: [String: Int64], after cursor: SyncCursor) async throws {
        let oldest = Self.milliseconds(cursor.readStart(overlap: overlap))
        let kept = recent.filter { $0.value >= oldest }
        try await context.store.setModuleState(key: Self.recentCommentsKey, value: try JSONEncoder().encode(kept))
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    private func commit(_ stream: SyncStream, _ cursor: SyncCursor) async throws {
        try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: stream, upserts: [], checkpoint: cursor.description))
    }
}
