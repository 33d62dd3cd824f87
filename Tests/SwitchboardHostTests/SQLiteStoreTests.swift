import ConnectorKit
import Foundation
import GRDB
@testable import SwitchboardHost
import Testing

/// The embedded store on real SQLite files.
@Suite("SQLite store: records with checkpoints, reconciliation, full-text search, event log")
struct SQLiteStoreTests {
    let directory = NSTemporaryDirectory() + "switchboard-store-" + UUID().uuidString
    var path: String { directory + "/nested/state.db" }

    static func user(_ n: Int, email: String? = nil) -> UserRecord {
        UserRecord(id: "003SBX\(n)", email: email ?? "person\(n)@acme.example", firstName: "P\(n)", lastName: "L\(n)",
                   fields: ["Department": "Dept \(n % 3)"], modifiedAt: Date(timeIntervalSince1970: 1_767_225_600 + Double(n)))
    }

    static func article(_ id: String, title: String, summary: String = "", body: String, language: String = "en_US") -> KnowledgeArticle {
        KnowledgeArticle(id: id, articleNumber: "0001", title: title, summary: summary, urlName: id.lowercased(), language: language,
                         bodyHTML: ["Body__c": "<p>\(body)</p>"], bodyText: body, modifiedAt: Date(timeIntervalSince1970: 1_767_225_600))
    }

    @Test func batchAndCheckpointLandTogetherAndSurviveReopening() async throws {
        do {
            let store = try SQLiteStore(path: path)  // creates the missing folders
            try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: (1...3).map { .user(Self.user($0)) }, checkpoint: "c1"))
            try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(Self.user(2, email: "NEW@acme.example"))],
                                               deletions: ["003SBX3"], checkpoint: "c2"))
        }
        let reopened = try SQLiteStore(path: path)  // migrations run again: a no-op
        #expect(try await reopened.checkpoint(connector: "sf", stream: "users")?.cursor == "c2")
        #expect(try await reopened.ids(connector: "sf", stream: "users") == ["003SBX1", "003SBX2"])
        let found = try await reopened.users(email: "new@ACME.example")
        #expect(found.count == 1 && found.first?.user.firstName == "P2" && found.first?.user.fields == ["Department": "Dept 2"])
        #expect(try await reopened.checkpoint(connector: "other", stream: "users") == nil)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Rows are bound straight through the SQLite C API: every column must come back as given —
    /// A module's own event type is stored and streamed under its name, with its data and subject.
    @Test func moduleEventsKeepTheirTypeDataAndSubject() async throws {
        let store = try SQLiteStore(path: path)
        let event = try ModuleEvent(type: "zendesk.sla_breached", subject: "T42", data: .object([JSONMember("minutes", .integer(95))]))
        let id = try await store.emit(ConnectorEvent(connector: "desk", payload: .module(event)))
        let stored = try await store.events(after: nil, subject: "T42")
        #expect(stored.map(\.id) == [id] && stored.first?.type == "zendesk.sla_breached" && stored.first?.connector == "desk")
        #expect(stored.first?.payload == #"{"minutes":95}"#)
    }

    /// NULL stays NULL, an empty string stays empty, quotes, newlines and non-ASCII text in names
    /// and fields survive, and an upsert replaces every column.
    @Test func userRowsKeepEveryValueExactly() async throws {
        let store = try SQLiteStore(path: path)
        let odd = UserRecord(id: "003ODD", email: "zoë.o'brien@acme.example", firstName: "", lastName: "O\"Brien\nJr.",
                             fields: ["Title": "Head of \"R&D\"\t\u{1}", "Ünit": "日本"], modifiedAt: Date(timeIntervalSince1970: 1_767_225_600.25))
        let bare = UserRecord(id: "003BARE", email: nil, firstName: nil, lastName: nil, modifiedAt: Date(timeIntervalSince1970: 0))
        try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(odd), .user(bare)], checkpoint: nil))
        let found = try await store.users(email: "ZOË.O'BRIEN@acme.example".replacingOccurrences(of: "Ë", with: "ë"))
        #expect(found.map(\.user) == [odd])
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, email, first_name, last_name, fields FROM users WHERE connector = 'sf' ORDER BY id")
        }
        #expect(rows.count == 2)
        #expect(rows[0]["id"] == "003BARE")
        #expect(rows[0].hasNull(atIndex: 1) && rows[0].hasNull(atIndex: 2) && rows[0].hasNull(atIndex: 3))
        #expect((rows[0]["fields"] as String) == "{}")
        #expect((rows[1]["first_name"] as String?) == "")
        #expect((rows[1]["fields"] as String) == #"{"Title":"Head of \"R&D\"\t\u0001","Ünit":"日本"}"#)

        var changed = odd
        changed.email = nil
        changed.firstName = "Zoë"
        changed.fields = [:]
        changed.modifiedAt = Date(timeIntervalSince1970: 1_767_225_601)
        try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(changed)], checkpoint: nil))
        let after = try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT email, first_name, last_name, fields, modified_at FROM users WHERE id = '003ODD'")
        }
        #expect(after?.hasNull(atIndex: 0) == true)
        #expect(after?["first_name"] == "Zoë")
        #expect(after?["fields"] == "{}")
        #expect(after?["modified_at"] == 1_767_225_601.0)
        #expect(try await store.count(connector: "sf", stream: "users") == 2)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Committed pages reach the database file without SQLite's in-commit checkpoint (which only
    /// runs past 64 MiB of WAL): the background checkpointer copies them.
    @Test func theWALIsCheckpointedInTheBackground() async throws {
        let store = try SQLiteStore(path: path)
        func databaseFileSize() -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        let before = databaseFileSize()
        for page in 0..<5 {
            try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: (0..<400).map { .user(Self.user(page * 400 + $0)) },
                                               checkpoint: "p\(page)"))
        }
        // Wait for the state, not a time: the file grows once a checkpoint has copied the WAL.
        let deadline = ContinuousClock.now + .seconds(20)
        while databaseFileSize() <= before + 100_000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(store.checkpointer.completedRuns >= 1)
        #expect(databaseFileSize() > before + 100_000, "2,000 users copied into the database file")
        #expect(try await store.count(connector: "sf", stream: "users") == 2_000)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aFailedBatchLeavesNothingBehind() async throws {
        let store = try SQLiteStore(path: path)
        try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(Self.user(1))], checkpoint: "c1"))
        // An unknown stream fails inside the transaction, after the upserts were written: all rolled back.
        await #expect(throws: StoreError.self) {
            try await store.commit(RecordBatch(connector: "sf", stream: .cursor("nonsense"), upserts: [.user(Self.user(2))], checkpoint: "c9"))
        }
        #expect(try await store.count(connector: "sf", stream: "users") == 1)
        #expect(try await store.checkpoint(connector: "sf", stream: "nonsense") == nil)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func eventLogIdsAreMonotonicAndWaitersWake() async throws {
        let store = try SQLiteStore(path: path)
        let event = ConnectorEvent(connector: "sf", payload: .ticket(TicketEvent(ticketId: "500X", requesterEmail: "a@b.c",
                                                                                 kind: .statusChanged(from: "New", to: "Working"), occurredAt: Date())))
        let first = try await store.emit(event)
        async let waited: Void = store.waitForEvent(after: first)
        let second = try await store.emit(event)
        try await waited
        #expect(second == first + 1)
        let read = try await store.events(after: first)
        #expect(read.map(\.id) == [second] && read[0].type == "ticket.status_changed" && read[0].payload.contains("\"ticketId\":\"500X\""))
        #expect(try await store.latestEventID() == second)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func checkpointsCanBeShownAndReset() async throws {
        let store = try SQLiteStore(path: path)
        try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [], checkpoint: "u"))
        try await store.commit(RecordBatch(connector: "sf", stream: .articles, upserts: [], checkpoint: "a"))
        #expect(try await store.checkpoints(connector: "sf").map(\.stream) == ["articles", "users"])
        #expect(try await store.resetCheckpoints(connector: "sf", stream: "users") == 1)
        #expect(try await store.checkpoints(connector: "sf").map(\.cursor) == ["a"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func anUnopenableFileIsAClearError() {
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/proc/version/state.db") }
    }

    /// The store holds personal data: its folder is 0700 when created, the database and its -wal and
    /// -shm files 0600, and a database an older version left at 0644 is tightened on open.
    @Test func theStoreIsPrivateToTheUser() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-private-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/nested/state.db"
        let store = try SQLiteStore(path: path)
        try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [
            .user(UserRecord(id: "003A", email: "a@acme.example", firstName: nil, lastName: nil, modifiedAt: Date())),
        ], checkpoint: "c"))
        func mode(_ file: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? -1 }
        #expect(try mode(directory + "/nested") == 0o700)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
            let fileMode = try mode(file)
            #expect(fileMode == 0o600, "\(file): \(String(fileMode, radix: 8))")
        }
        let old = directory + "/old.db"
        _ = FileManager.default.createFile(atPath: old, contents: nil, attributes: [.posixPermissions: 0o644])
        _ = try SQLiteStore(path: old)
        #expect(try mode(old) == 0o600, "tightened")
    }

    /// An event that brings a handoff a new status and a stream position writes them in its own
    /// transaction: when emit returns, the store has both; the position never moves back.
    @Test func aHandoffEventCarriesItsStatusAndPosition() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-handoff-event-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/state.db")
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        var record = HandoffRecord(id: "ho_1", connector: "sf", conversationId: "c1", employeeId: "e1", status: .pending,
                                   request: HandoffRequest(employeeId: "e1"), createdAt: now, updatedAt: now)
        try await store.saveHandoff(record)
        record.status = .ended
        record.endReason = "routing failed: no agent"
        let event = ConnectorEvent(connector: "sf", payload: .handoff(HandoffEvent(handoffId: "ho_1", entryId: "x1", kind: .routingFailed(reason: "no agent"),
                                                                                   occurredAt: now)),
                                   deduplicationKey: "ho_1/x1", handoffPosition: HandoffPosition(handoffId: "ho_1", lastEventId: "20", lastEntryAt: now),
                                   handoffState: record)
        try await store.emit(event)
        let stored = try #require(try await store.handoff(id: "ho_1"))
        #expect(stored.status == .ended && stored.endReason == "routing failed: no agent" && stored.lastEventId == "20")
        try await store.emit(ConnectorEvent(connector: "sf", payload: event.payload, deduplicationKey: "ho_1/x0",
                                            handoffPosition: HandoffPosition(handoffId: "ho_1", lastEventId: "9", lastEntryAt: now.addingTimeInterval(-5))))
        let after = try #require(try await store.handoff(id: "ho_1"))
        #expect(after.lastEventId == "20" && after.lastEntryAt == now, "never backwards")
    }
}
