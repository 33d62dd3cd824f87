import ConnectorKit
import Foundation
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// User ingestion against the sandbox into a real SQLite store.
@Suite("Contact sync: incremental cursor with ties, deletions, reconciliation", .serialized)
struct ContactSyncTests {
    struct Rig: Sendable {
        let sandbox: SalesforceSandbox
        let store: SQLiteStore
        let sync: ContactSync
    }

    static func withRig(contacts: Int = 450, rowsPerCommit: Int = 10_000, commitInterval: Duration = .seconds(60),
                        sink: (@Sendable (SQLiteStore) -> any RecordSink)? = nil, _ body: @Sendable (Rig) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "switchboard-contacts-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration(contacts: contacts)) { sandbox in
            let transport = SandboxFixture.transport(maxAttempts: 2)
            let auth = try SandboxFixture.auth(await sandbox.baseURL(), transport: transport)
            let store = try SQLiteStore(path: directory + "/state.db")
            let rest = SalesforceREST(auth: auth, http: transport, apiVersion: "62.0", connector: "sf")
            let context = ConnectorContext(connectorName: "sf", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/", environment: [:])),
                                           http: transport, store: store, sink: store, events: store, handoffs: store, logger: SandboxFixture.quiet)
            let sync = ContactSync(rest: rest, sink: sink?(store) ?? store, store: context.store,
                                   settings: .init(fields: ["Department", "Employee_Id__c"], whereClause: "Email != null", batchSize: 200,
                                                   rowsPerCommit: rowsPerCommit, commitInterval: commitInterval))
            do {
                try await body(Rig(sandbox: sandbox, store: store, sync: sync))
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    static func sandboxIDs(_ sandbox: SalesforceSandbox) -> [String] {
        sandbox.org.records("Contact").filter { !$0.isDeleted }.map(\.id).sorted()
    }

    @Test func firstRunReadsEverythingThenNothingChanged() async throws {
        try await Self.withRig { rig in
            let report = try await rig.sync.run(mode: .incremental)
            #expect(report.upserted == 450 && report.pages == 3)
            #expect(try await rig.store.ids(connector: "sf", stream: "users") == Self.sandboxIDs(rig.sandbox))
            let someone = try #require(rig.sandbox.org.records("Contact").first)
            guard case .string(let email) = someone["Email"] else { Issue.record("no email"); return }
            let found = try await rig.store.users(email: email.uppercased())
            #expect(found.first?.user.fields["Employee_Id__c"] != nil && found.first?.user.fields["Department"] != nil)
            let again = try await rig.sync.run(mode: .incremental)
            #expect(again.upserted == 0, "nothing changed since the cursor")
            #expect(again.reread > 0, "the overlap behind the cursor is read again")
        }
    }

    /// 250 contacts share one SystemModstamp (a bulk update); the run fails after the first page of
    /// 200; the next run reads the tie again (the overlap) and nothing is missing.
    @Test func tieAcrossAPageBoundarySurvivesAFailedRun() async throws {
        try await Self.withRig { rig in
            _ = try await rig.sync.run(mode: .incremental)
            let touched = Array(Self.sandboxIDs(rig.sandbox).shuffled().prefix(250))
            rig.sandbox.org.touchAll(touched)
            rig.sandbox.faults.add(FaultRule(path: "/services/data/v62.0/query/", status: 500))  // every next page fails
            await #expect(throws: (any Error).self) { try await rig.sync.run(mode: .incremental) }
            let cursor = try #require(try await rig.store.checkpoint(connector: "sf", stream: "users"))
            let afterFirstPage = try #require(SyncCursor(cursor.cursor))
            #expect(touched.contains(afterFirstPage.id), "the checkpoint sits inside the tie")
            rig.sandbox.faults.clear()
            let resumed = try await rig.sync.run(mode: .incremental)
            let rest = touched.filter { $0 > afterFirstPage.id }.count
            #expect(rest > 0 && resumed.upserted == rest, "the rest of the tie is new")
            #expect(resumed.reread >= 250 - rest, "the tie's first part is read again (the overlap)")
            #expect(try await rig.store.count(connector: "sf", stream: "users") == 450)
        }
    }

    @Test func deletionsAreSeenAndReconciliationRemovesWhatVanished() async throws {
        try await Self.withRig(contacts: 60) { rig in
            _ = try await rig.sync.run(mode: .incremental)
            let ids = Self.sandboxIDs(rig.sandbox)
            try rig.sandbox.org.delete("Contact", id: ids[0])  // Recycle Bin: queryAll sees it
            rig.sandbox.org.purge("Contact", id: ids[1])        // gone for good: only a full run notices
            let incremental = try await rig.sync.run(mode: .incremental)
            #expect(incremental.deleted == 1)
            var stored = try await rig.store.ids(connector: "sf", stream: "users")
            #expect(!stored.contains(ids[0]) && stored.contains(ids[1]))
            let full = try await rig.sync.run(mode: .full)
            #expect(full.upserted == 58 && full.deleted == 1)
            stored = try await rig.store.ids(connector: "sf", stream: "users")
            #expect(stored == Self.sandboxIDs(rig.sandbox))
        }
    }

    @Test func updatesAndNewContactsArePickedUp() async throws {
        try await Self.withRig(contacts: 30) { rig in
            _ = try await rig.sync.run(mode: .incremental)
            let id = Self.sandboxIDs(rig.sandbox)[5]
            try rig.sandbox.org.update("Contact", id: id, values: ["Email": .string("renamed@acme.example")])
            let newID = try rig.sandbox.org.insert("Contact", values: ["LastName": .string("Newcomer"), "Email": .string("new@acme.example")])
            let report = try await rig.sync.run(mode: .incremental)
            #expect(report.upserted == 2)
            #expect(try await rig.store.users(email: "renamed@acme.example").first?.user.id == id)
            #expect(try await rig.store.users(email: "new@acme.example").first?.user.id == newID)
        }
    }

    /// Records the batches of the users stream it commits, then commits them to the store.
    final class RecordingSink: RecordSink, @unchecked Sendable {
        let store: SQLiteStore
        private let lock = NSLock()
        private var committed: [(rows: Int, checkpoint: String?)] = []

        init(_ store: SQLiteStore) { self.store = store }

        var batches: [(rows: Int, checkpoint: String?)] { lock.withLock { committed } }

        func commit(_ batch: RecordBatch) async throws -> CommitResult {
            if batch.stream == .users { lock.withLock { committed.append((batch.upserts.count, batch.checkpoint)) } }
            return try await store.commit(batch)
        }

        func reconcile(connector: String, stream: SyncStream, keeping ids: Set<String>) async throws -> Int {
            try await store.reconcile(connector: connector, stream: stream, keeping: ids)
        }

        func reconcile(connector: String, stream: SyncStream, writtenBefore date: Date) async throws -> Int {
            try await store.reconcile(connector: connector, stream: stream, writtenBefore: date)
        }
    }

    /// Pages of 200 are merged into commits of at least `rowsPerCommit` rows, each with the cursor
    /// after its last row; what remains is committed at the end.
    @Test func pagesAreMergedIntoCommits() async throws {
        let recorder = LockedBox<RecordingSink?>(nil)
        try await Self.withRig(rowsPerCommit: 400, sink: { store in
            let sink = RecordingSink(store)
            recorder.value = sink
            return sink
        }) { rig in
            let report = try await rig.sync.run(mode: .incremental)
            let batches = try #require(recorder.value).batches
            #expect(report.upserted == 450 && report.pages == 3)
            #expect(batches.map(\.rows) == [400, 50])
            let ids = Self.sandboxIDs(rig.sandbox)
            let stored = try #require(try await rig.store.checkpoint(connector: "sf", stream: "users"))
            #expect(batches.last?.checkpoint == stored.cursor)
            #expect(try await rig.store.ids(connector: "sf", stream: "users") == ids)
        }
    }

    /// A commit interval of zero commits every page as it comes.
    @Test func theCommitIntervalBoundsHowLongRowsWait() async throws {
        let recorder = LockedBox<RecordingSink?>(nil)
        try await Self.withRig(commitInterval: .zero, sink: { store in
            let sink = RecordingSink(store)
            recorder.value = sink
            return sink
        }) { rig in
            _ = try await rig.sync.run(mode: .incremental)
            #expect(try #require(recorder.value).batches.map(\.rows) == [200, 200, 50])
        }
    }

    /// A row updated by a transaction that began in the cursor's own second (and so has its
    /// stamp), with a lower Id than the cursor's row, committed after the run read past it: the next
    /// incremental run finds it — a strict `(SystemModstamp, Id) >` cursor skipped it.
    @Test func aLateCommitInTheCursorsSecondIsNotMissed() async throws {
        try await Self.withRig(contacts: 30) { rig in
            _ = try await rig.sync.run(mode: .incremental)
            let stored = try #require(try await rig.store.checkpoint(connector: "sf", stream: "users"))
            let cursor = try #require(SyncCursor(stored.cursor))
            let lower = try #require(Self.sandboxIDs(rig.sandbox).first { $0 < cursor.id })
            let stamp = Int64(cursor.modstamp.timeIntervalSince1970 * 1000)
            try rig.sandbox.org.commitLate("Contact", id: lower, values: ["Email": .string("late.commit@acme.example")], stampedAt: stamp)
            _ = try await rig.sync.run(mode: .incremental)
            #expect(try await rig.store.users(email: "late.commit@acme.example").first?.user.id == lower)
        }
    }

    /// A full run fails after its first page; the next full run resumes after it (not from zero)
    /// and its removal still covers the whole read: a purged contact goes, none of the others.
    @Test func anInterruptedFullRunResumesAndStillRemovesWhatVanished() async throws {
        try await Self.withRig(contacts: 500, commitInterval: .zero) { rig in
            _ = try await rig.sync.run(mode: .incremental)
            let ids = Self.sandboxIDs(rig.sandbox)
            rig.sandbox.org.purge("Contact", id: ids[3])  // gone for good: only a full run notices
            rig.sandbox.faults.add(FaultRule(path: "/services/data/v62.0/query/", status: 400, times: 1))
            await #expect(throws: (any Error).self) { try await rig.sync.run(mode: .full) }
            let resumed = try await rig.sync.run(mode: .full)
            #expect(resumed.resumed, "went on from the interrupted run")
            #expect(resumed.upserted < 499 && resumed.upserted >= 499 - 200, "read only the rest (and the overlap): \(resumed.upserted)")
            #expect(resumed.deleted == 1)
            #expect(try await rig.store.ids(connector: "sf", stream: "users") == Self.sandboxIDs(rig.sandbox))
            let next = try await rig.sync.run(mode: .full)
            #expect(!next.resumed && next.upserted == 499 && next.deleted == 0, "a finished full run leaves nothing to resume")
        }
    }

    /// A deletion already applied, read again from the overlap, is not counted twice: "removed"
    /// counts stored rows removed, not deleted rows read.
    @Test func removedCountsRowsRemovedNotRowsRead() async throws {
        try await Self.withRig(contacts: 30) { rig in
            _ = try await rig.sync.run(mode: .incremental)
            let ids = Self.sandboxIDs(rig.sandbox)
            try rig.sandbox.org.delete("Contact", id: ids[0])
            #expect(try await rig.sync.run(mode: .incremental).deleted == 1)
            #expect(try await rig.sync.run(mode: .incremental).deleted == 0, "read again in the overlap, but already gone")
            let never = try rig.sandbox.org.insert("Contact", values: ["LastName": .string("Brief")])  // no Email: never synced
            try rig.sandbox.org.delete("Contact", id: never)
            #expect(try await rig.sync.run(mode: .incremental).deleted == 0, "a deletion of a row never stored removes nothing")
        }
    }

    @Test func cursorTextRoundTrips() throws {
        let cursor = try #require(SyncCursor("2026-01-05T10:00:07.123+0000|003SBX000000001YBA"))
        #expect(cursor.description == "2026-01-05T10:00:07.123+0000|003SBX000000001YBA")
        #expect(cursor.soqlCondition(overlap: .seconds(5)) == "SystemModstamp >= 2026-01-05T10:00:02Z", "whole seconds, no Id literal")
        #expect(cursor.soqlCondition(overlap: .zero) == "SystemModstamp >= 2026-01-05T10:00:07Z")
        #expect(SyncCursor.origin.soqlCondition(overlap: .seconds(10)) == "SystemModstamp >= 1970-01-01T00:00:00Z")
        #expect(SyncCursor(SyncCursor.origin.description) == .origin, "an empty Id round-trips")
        #expect(SOQLText.quote("O'Brien \\ x") == #"'O\'Brien \\ x'"#)
        #expect(SyncCursor("garbage") == nil)
    }
}

/// A value shared between a test and the closures it hands out.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
