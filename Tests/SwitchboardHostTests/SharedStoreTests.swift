import ConnectorKit
import Foundation
import Logging
import PostgresNIO
import SwitchboardHost
import SwitchboardPostgres
import Testing

/// One suite, both stores: the embedded SQLite file and PostgreSQL (a fresh database per test on
/// the server `SWITCHBOARD_TEST_POSTGRES` names — `.ci/run` starts a throwaway cluster and sets it).
@Suite("Host stores: SQLite and PostgreSQL pass the same tests")
struct SharedStoreTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let quiet = Logger(label: "store-test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs `body` on a new, empty store of `kind` (nothing when PostgreSQL is not configured).
    static func withStore(_ kind: Kind, _ body: @Sendable (any HostStore) async throws -> Void) async throws {
        switch kind {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "switchboard-shared-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await body(try SQLiteStore(path: directory + "/state.db"))
        case .postgres:
            guard let url = postgresURL else { return }
            try await withScratchDatabase(url) { location in
                try await PostgresStore.withStore(location, password: nil, logger: quiet) { store in try await body(store) }
            }
        }
    }

    /// A database of its own on the test server, dropped afterwards.
    static func withScratchDatabase(_ url: String, _ body: @Sendable (PostgresLocation) async throws -> Void) async throws {
        let server = try PostgresLocation(url: url)
        let name = "sb_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(server, "CREATE DATABASE \(name)")
        var location = server
        location.database = name
        do {
            try await body(location)
        } catch {
            try? await admin(server, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
        try await admin(server, "DROP DATABASE \(name) WITH (FORCE)")
    }

    static func admin(_ server: PostgresLocation, _ sql: String) async throws {
        let client = PostgresClient(configuration: .init(host: server.host, port: server.port, username: server.username, password: nil,
                                                         database: server.database, tls: .disable), backgroundLogger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: quiet)
        }
    }

    static func user(_ n: Int, email: String? = nil) -> UserRecord {
        UserRecord(id: "003SBX\(n)", email: email ?? "person\(n)@acme.example", firstName: "P\(n)", lastName: n == 3 ? nil : "L\(n)",
                   fields: ["Department": "Dept \(n % 3)"], modifiedAt: Date(timeIntervalSince1970: 1_767_225_600 + Double(n)))
    }

    static func article(_ id: String, title: String, summary: String = "", body: String, language: String = "en_US") -> KnowledgeArticle {
        KnowledgeArticle(id: id, articleNumber: "0001", title: title, summary: summary, urlName: id.lowercased(), language: language,
                         bodyHTML: ["Body__c": "<p>\(body)</p>"], bodyText: body, modifiedAt: Date(timeIntervalSince1970: 1_767_225_600))
    }

    /// In CI PostgreSQL must be there: a missing server fails here rather than skipping quietly.
    @Test func postgresIsConfiguredWhereRequired() {
        if ProcessInfo.processInfo.environment["SWITCHBOARD_REQUIRE_POSTGRES"] == "1" {
            #expect(Self.postgresURL != nil, "SWITCHBOARD_TEST_POSTGRES is not set")
        }
    }

    @Test(arguments: Kind.allCases) func recordsCheckpointsAndModuleState(_ kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            #expect(try await store.checkpoint(connector: "sf", stream: "users") == nil)
            try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: (1...3).map { .user(Self.user($0)) }, checkpoint: "c1"))
            let result = try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(Self.user(2, email: "NEW@acme.example"))],
                                                            deletions: ["003SBX3", "003SBX9"], checkpoint: "c2"))
            #expect(result.removed == 1, "a deletion of a row never stored removes nothing")
            #expect(try await store.checkpoint(connector: "sf", stream: "users")?.cursor == "c2")
            #expect(try await store.ids(connector: "sf", stream: "users") == ["003SBX1", "003SBX2"])
            #expect(try await store.count(connector: "sf", stream: "users-deleted") == 2, "a sub-stream reads its table")
            let found = try await store.users(email: "new@ACME.example")
            #expect(found.count == 1 && found.first?.connector == "sf" && found.first?.user == Self.user(2, email: "NEW@acme.example"))
            #expect(try await store.user(connector: "sf", id: "003SBX1") == Self.user(1))
            #expect(try await store.user(connector: "other", id: "003SBX1") == nil)
            // The same id twice in one batch: the later one is what is stored.
            try await store.commit(RecordBatch(connector: "sf", stream: .users,
                                               upserts: [.user(Self.user(7)), .user(Self.user(7, email: "later@acme.example"))], checkpoint: nil))
            #expect(try await store.user(connector: "sf", id: "003SBX7")?.email == "later@acme.example")
            try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [], deletions: ["003SBX7"], checkpoint: nil))
            // Module state: bytes in, bytes out, removed by nil.
            let bytes = Data([0, 1, 2, 255, 0x27, 0x5c])
            try await store.setModuleState(connector: "sf", key: "cursor", value: bytes)
            try await store.setModuleState(connector: "sf", key: "cursor", value: bytes + [7])
            #expect(try await store.moduleState(connector: "sf", key: "cursor") == bytes + [7])
            try await store.setModuleState(connector: "sf", key: "cursor", value: nil)
            #expect(try await store.moduleState(connector: "sf", key: "cursor") == nil)
            // Checkpoints listed and reset.
            try await store.commit(RecordBatch(connector: "sf", stream: SyncStream.articles.sub("en_US"), upserts: [], checkpoint: "k1"))
            #expect(try await store.checkpoints(connector: "sf", stream: nil).map(\.stream) == ["articles-en_US", "users"])
            #expect(try await store.resetCheckpoints(connector: "sf", stream: "users") == 1)
            #expect(try await store.checkpoints(connector: "sf", stream: nil).map(\.cursor) == ["k1"])
            do {
                try await store.commit(RecordBatch(connector: "sf", stream: SyncStream.cursor("tickets"), upserts: [.user(Self.user(1))], checkpoint: nil))
                Issue.record("records for a stream the store does not keep are refused")
            } catch {}
        }
    }

    @Test(arguments: Kind.allCases) func reconciliationRemovesWhatVanished(_ kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: (1...5).map { .user(Self.user($0)) }, checkpoint: nil))
            try await store.commit(RecordBatch(connector: "other", stream: .users, upserts: [.user(Self.user(9))], checkpoint: nil))
            #expect(try await store.reconcile(connector: "sf", stream: .users, keeping: ["003SBX1", "003SBX4"]) == 3)
            #expect(try await store.ids(connector: "sf", stream: "users") == ["003SBX1", "003SBX4"])
            #expect(try await store.count(connector: "other", stream: "users") == 1, "other connectors untouched")
            let cut = Date()
            try await Task.sleep(for: .milliseconds(20))
            try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(Self.user(4))], checkpoint: nil))
            #expect(try await store.reconcile(connector: "sf", stream: .users, writtenBefore: cut) == 1, "003SBX1 was not written again")
            #expect(try await store.ids(connector: "sf", stream: "users") == ["003SBX4"])
        }
    }

    @Test(arguments: Kind.allCases) func searchRanksTitlesFirstAndFollowsUpdates(_ kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            try await store.commit(RecordBatch(connector: "sf", stream: .articles, upserts: [
                .article(Self.article("ka01", title: "Printer troubleshooting", body: "Turn it off and on again.")),
                .article(Self.article("ka02", title: "Expense reports", body: "Attach the printer receipt to the report.")),
                .article(Self.article("ka03", title: "VPN access", body: "Install the client.")),
                .article(Self.article("ka04", title: "Imprimante", body: "Redémarrer l'imprimante (printer).", language: "fr")),
            ], checkpoint: "k1"))
            let hits = try await store.searchArticles("printer", language: "en_US", limit: 10)
            #expect(hits.map(\.id) == ["ka01", "ka02"], "the title match ranks above the body match; French excluded")
            #expect(hits.count == 2 && hits[0].rank < hits[1].rank, "lower rank is better")
            #expect(hits.count == 2 && hits[1].snippet.contains("[printer]"), "\(hits.map(\.snippet))")
            #expect(try await store.searchArticles("print", language: nil, limit: 10).count == 3, "prefix match, every language")
            #expect(try await store.searchArticles("printer receipt", language: nil, limit: 10).map(\.id) == ["ka02"], "every word required")
            #expect(try await store.searchArticles("\"); DROP TABLE articles; --", language: nil, limit: 10).isEmpty, "operators are taken literally")
            #expect(try await store.searchArticles("o'brien & | ! :* \\", language: nil, limit: 10).isEmpty)
            #expect(try await store.searchArticles("   ", language: nil, limit: 10).isEmpty)
            #expect(try await store.searchArticles("printer", language: nil, limit: 1).count == 1)
            // Accents fold both ways, as FTS5's remove_diacritics does.
            #expect(try await store.searchArticles("redemarrer", language: nil, limit: 10).map(\.id) == ["ka04"])
            #expect(try await store.searchArticles("rédémarr IMPRIMANTE", language: "fr", limit: 10).map(\.id) == ["ka04"])
            #expect(try await store.searchArticles("redemarrer", language: nil, limit: 10).first?.snippet.contains("[Redémarrer]") == true,
                    "the snippet shows the text as written")
            try await store.commit(RecordBatch(connector: "sf", stream: .articles,
                                               upserts: [.article(Self.article("ka03", title: "VPN and printer access", body: "x"))],
                                               deletions: ["ka01"], checkpoint: "k2"))
            #expect(try await store.searchArticles("printer", language: "en_US", limit: 10).map(\.id) == ["ka03", "ka02"])
            #expect(try await store.searchArticles("troubleshooting", language: nil, limit: 10).isEmpty)
        }
    }

    @Test(arguments: Kind.allCases) func eventsAreOrderedDeduplicatedAndWakeWaiters(_ kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            #expect(try await store.latestEventID() == 0)
            func ticket(_ n: Int, key: String? = nil) -> ConnectorEvent {
                ConnectorEvent(connector: "sf", payload: .ticket(TicketEvent(ticketId: "500X\(n % 2)", requesterEmail: "ada@acme.example",
                                                                             kind: .statusChanged(from: "New", to: "Working \(n)"), occurredAt: Date())),
                               deduplicationKey: key)
            }
            var ids: [Int64] = []
            for n in 1...4 { ids.append(try await store.emit(ticket(n, key: "k\(n)"))) }
            #expect(ids == [1, 2, 3, 4])
            #expect(try await store.emit(ticket(2, key: "k2")) == 2, "the same de-duplication key is the same event")
            let all = try await store.events(after: 0, subject: nil, limit: 10)
            #expect(all.map(\.id) == [1, 2, 3, 4] && all[0].type == "ticket.status_changed" && all[0].connector == "sf")
            #expect(all[0].envelope.contains(#""ticketId":"500X1""#) && all[0].envelope.contains(#""to":"Working 1""#), "\(all[0].envelope)")
            #expect(try await store.events(after: 1, subject: "500X1", limit: 10).map(\.id) == [3])
            #expect(try await store.events(after: 0, subject: nil, limit: 2).map(\.id) == [1, 2])
            // A waiter wakes when an event is appended, and at once when one already is.
            try await store.waitForEvent(after: 3)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.waitForEvent(after: 4) }
                try await Task.sleep(for: .milliseconds(100))
                _ = try await store.emit(ticket(5))
                try await group.waitForAll()
            }
            #expect(try await store.latestEventID() == 5)
        }
    }

    @Test(arguments: Kind.allCases) func handoffsKeepTheirConversationAndPositionMovesForward(_ kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            let now = Date(timeIntervalSince1970: 1_767_225_600)
            var record = HandoffRecord(id: "ho_1", connector: "sf", conversationId: "", employeeId: "emp-1", status: .pending,
                                       request: HandoffRequest(employeeId: "emp-1", email: "a@acme.example", topic: "Access", attributes: ["k": "v"]),
                                       createdAt: now, updatedAt: now)
            try await store.saveHandoff(record)
            record.conversationId = "conv-1"
            record.status = .active
            record.lastEventId = "5"
            try await store.saveHandoff(record)
            record.conversationId = "conv-2"
            record.lastEventId = "3"
            try await store.saveHandoff(record)
            let stored = try #require(try await store.handoff(id: "ho_1"))
            #expect(stored.conversationId == "conv-1", "a conversation is set once")
            #expect(stored.lastEventId == "5", "the position never moves back")
            #expect(stored.status == .active && stored.request == record.request && stored.createdAt == now)
            // An event carries the position forward in its own transaction.
            _ = try await store.emit(ConnectorEvent(connector: "sf", payload: .handoff(HandoffEvent(
                handoffId: "ho_1", entryId: "e9", kind: .agentMessage(text: "Hello", senderDisplayName: "Ann"), occurredAt: now)),
                handoffPosition: HandoffPosition(handoffId: "ho_1", lastEventId: "9", lastEntryAt: now.addingTimeInterval(5))))
            let advanced = try #require(try await store.handoff(id: "ho_1"))
            #expect(advanced.lastEventId == "9" && advanced.lastEntryAt == now.addingTimeInterval(5))
            #expect(try await store.openHandoffs(connector: "sf").map(\.id) == ["ho_1"])
            record.status = .ended
            record.endReason = "closed"
            try await store.saveHandoff(record)
            #expect(try await store.openHandoffs(connector: "sf").isEmpty)
            #expect(try await store.handoff(id: "ho_1")?.endReason == "closed")
            #expect(try await store.handoff(id: "nope") == nil)
        }
    }
}
