import ConnectorKit
import Foundation

/// User ingestion: Salesforce Contacts into the host's users table.
///
/// Incremental runs read rows changed after the cursor in `(SystemModstamp, Id)` order and commit
/// them with the cursor after the last of them — every ``Settings/rowsPerCommit`` rows or
/// ``Settings/commitInterval``, whichever comes first, and whatever was read when a run fails;
/// deletions come from `queryAll`
/// (`IsDeleted = true`) under a cursor of their own. A full run reads everything and then removes
/// what is no longer there (deleted, purged, or no longer matching `where`): every row it reads is
/// written again, so what was not written since the run began has vanished. An interrupted full run
/// resumes where it stopped (its start and position are the checkpoint of stream `users-full`,
/// which `switchboard state show` prints and `state reset` forgets), and its removal still covers
/// the whole read.
public struct ContactSync: Sendable {
    /// What to read.
    public struct Settings: Sendable, Hashable {
        /// Extra Contact fields kept in the user's `fields`.
        public var fields: [String]
        /// A SOQL condition narrowing the contacts (`Email != null`).
        public var whereClause: String?
        /// Rows per page asked for (`Sforce-Query-Options: batchSize`).
        public var batchSize: Int
        /// Rows read before they are committed in one transaction. Pages are merged because a
        /// transaction's own cost (the WAL frames of the index pages it touches) is paid once for
        /// all its rows: 10,000 rows per commit take the store ~10% less CPU than 2,000.
        public var rowsPerCommit: Int
        /// The longest rows read wait for their commit, so a slow upstream still sees steady checkpoints.
        public var commitInterval: Duration
        /// How far behind the cursor an incremental run reads again (see ``SyncCursor``).
        public var overlap: Duration

        /// Creates settings; the configurable ones come from the `user-ingestion` section (see
        /// ``init(section:)`` and ``defaults``), the rest are tuning constants.
        public init(fields: [String], whereClause: String?, batchSize: Int,
                    rowsPerCommit: Int = 10_000, commitInterval: Duration = .seconds(1), overlap: Duration = SyncCursor.defaultOverlap) {
            self.fields = fields
            self.whereClause = whereClause
            self.batchSize = batchSize
            self.rowsPerCommit = rowsPerCommit
            self.commitInterval = commitInterval
            self.overlap = overlap
        }

        /// Decodes the `user-ingestion` section of validated settings.
        public init(section settings: SettingsObject) throws(ConnectorError) {
            self.init(fields: try settings.requiredStrings("user-ingestion.fields"),
                      whereClause: settings.value(at: "user-ingestion.where")?.stringValue,
                      batchSize: try settings.requiredInteger("user-ingestion.batch_size"))
        }

        /// The schema's defaults.
        public static var defaults: Settings { try! Settings(section: SalesforceModule().settings.defaults) }
    }

    static let stream = SyncStream.users
    static let deletionStream = SyncStream.users.sub("deleted")
    /// The checkpoint of the last full run (``FullRun``, as JSON).
    static let fullStream = SyncStream.users.sub("full")

    /// The last full run: when it began, how far it read, whether it finished.
    struct FullRun: Codable, Equatable {
        /// When it began (seconds since 1970).
        var started: Double
        /// The last row committed (nil before the first commit, and once finished).
        var cursor: String?
        /// Whether it finished (its removal done).
        var finished: Bool
    }

    /// The last full run, as stored.
    func lastFullRun() async throws -> FullRun? {
        try await store.checkpoint(stream: Self.fullStream).flatMap { try? JSONDecoder().decode(FullRun.self, from: Data($0.cursor.utf8)) }
    }

    private func save(_ run: FullRun) async throws {
        let text = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
        try await sink.commit(RecordBatch(connector: connector, stream: Self.fullStream, upserts: [], checkpoint: text))
    }
    static let baseFields = ["Id", "FirstName", "LastName", "Email", "SystemModstamp"]

    let rest: SalesforceREST
    let sink: any RecordSink
    let store: ScopedStateStore
    let settings: Settings

    /// Creates a sync over the module's REST client and the host's sink and store.
    public init(rest: SalesforceREST, sink: any RecordSink, store: ScopedStateStore, settings: Settings) {
        self.rest = rest
        self.sink = sink
        self.store = store
        self.settings = settings
    }

    var connector: String { store.connector }

    /// The SELECT for a run after `cursor` (all rows when nil).
    func soql(after cursor: SyncCursor?) -> String {
        let fields = Self.baseFields + settings.fields.filter { !Self.baseFields.contains($0) }
        var conditions: [String] = []
        if let whereClause = settings.whereClause, !whereClause.isEmpty { conditions.append("(\(whereClause))") }
        if let cursor { conditions.append(cursor.soqlCondition(overlap: settings.overlap)) }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "SELECT \(fields.joined(separator: ", ")) FROM Contact\(filter) ORDER BY SystemModstamp, Id"
    }

    /// Runs one sync.
    public func run(mode: SyncMode, progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        let stored = try await store.checkpoint(stream: Self.stream).flatMap { SyncCursor($0.cursor) }
        var report = SyncReport(upserted: 0, deleted: 0, pages: 0)
        var fullRun: FullRun?
        if mode == .full {
            if let unfinished = try await lastFullRun(), !unfinished.finished {
                fullRun = unfinished
                report.resumed = unfinished.cursor != nil
            } else {
                let run = FullRun(started: Date().timeIntervalSince1970, cursor: nil, finished: false)
                try await save(run)
                fullRun = run
            }
        }
        let cursor = mode == .full ? fullRun?.cursor.flatMap(SyncCursor.init) : stored
        var reread = 0
        var expected: Int?
        let extraFields = settings.fields
        var pending = PendingUsers(stored: stored)
        let clock = ContinuousClock()
        var oldest = clock.now
        /// Commits the rows read so far with the cursor after the last of them.
        func commitPending() async throws {
            guard let batch = pending.take(connector: connector) else { return }
            try await sink.commit(batch.records)
            if var run = fullRun, let last = batch.last {
                // After the rows: the position may lag the rows it covers (a resume reads a few
                // again), never run ahead of them.
                run.cursor = last.description
                fullRun = run
                try await save(run)
            }
            report.upserted += batch.records.upserts.count
            report.pages += batch.pages
            progress(SyncProgress(records: report.upserted, pages: report.pages, expectedTotal: expected))
        }
        do {
            // Records become users in the prefetch, straight from the answer's bytes, while earlier rows commit.
            // The pages of the next commit are read while this one commits.
            let pagesPerCommit = (settings.rowsPerCommit + settings.batchSize - 1) / max(1, settings.batchSize)
            try await rest.query(soql(after: cursor), batchSize: settings.batchSize,
                                 pagesAhead: max(SalesforceREST.defaultPagesAhead, pagesPerCommit + 1), row: { (reader) throws(JSONParser.Failure) in
                try Self.user(reading: &reader, extraFields: extraFields)
            }) { page in
                expected = expected ?? page.totalSize
                if mode == .incremental, let cursor {
                    for user in page.rows where cursor.covers(modstamp: user.modifiedAt, id: user.id) { reread += 1 }
                }
                if pending.isEmpty { oldest = clock.now }
                pending.add(page.rows)
                if pending.count >= settings.rowsPerCommit || clock.now - oldest >= settings.commitInterval {
                    try await commitPending()
                    try SyncInterrupted.checkShutdown()
                }
            }
        } catch {
            // What was read before the failure is kept: the next run resumes after it.
            try? await commitPending()
            throw error
        }
        try await commitPending()
        report.upserted -= reread
        report.reread = reread
        if let run = fullRun {
            let started = Date(timeIntervalSince1970: run.started)
            report.deleted += try await sink.reconcile(connector: connector, stream: Self.stream,
                                                       writtenBefore: started)
            try await save(FullRun(started: run.started, cursor: nil, finished: true))
        } else {
            report.deleted += try await syncDeletions()
        }
        return report
    }

    /// Removes contacts deleted upstream since the deletion cursor (Recycle Bin rows, via queryAll).
    func syncDeletions() async throws -> Int {
        let cursor = try await store.checkpoint(stream: Self.deletionStream).flatMap { SyncCursor($0.cursor) }
        let condition = cursor.map { " AND \($0.soqlCondition(overlap: settings.overlap))" } ?? ""
        var deleted = 0
        try await rest.query("SELECT Id, SystemModstamp FROM Contact WHERE IsDeleted = true\(condition) ORDER BY SystemModstamp, Id",
                             includeDeleted: true) { page in
            var ids: [String] = []
            var last: SyncCursor?
            for record in page.records {
                guard let id = record["Id"]?.stringValue, let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) else { continue }
                ids.append(id)
                last = SyncCursor(modstamp: stamp, id: id)
            }
            // Removals from the users table, with the deletion cursor (never moved back), in one transaction.
            let checkpoint = last.map { last in cursor.map { max(last, $0) } ?? last }
            let result = try await sink.commit(RecordBatch(connector: connector, stream: Self.deletionStream, upserts: [], deletions: ids,
                                                           checkpoint: checkpoint?.description))
            deleted += result.removed
        }
        return deleted
    }

    /// A user from the Contact record at the reader; nil when it has no Id or SystemModstamp.
    /// Extra fields keep strings as they are and numbers and booleans as their JSON text.
    static func user(reading reader: inout JSONReader, extraFields: [String]) throws(JSONParser.Failure) -> UserRecord? {
        var id: String?
        var stamp: Date?
        var email: String?
        var firstName: String?
        var lastName: String?
        var fields: [String: String] = [:]
        try reader.readObject { (name, reader) throws(JSONParser.Failure) in
            if name == "Id" {
                id = try reader.readValue().stringValue
            } else if name == "SystemModstamp" {
                stamp = try reader.readValue().stringValue.flatMap(SalesforceDateTime.parse)
            } else if name == "Email" {
                email = try reader.readValue().stringValue
            } else if name == "FirstName" {
                firstName = try reader.readValue().stringValue
            } else if name == "LastName" {
                lastName = try reader.readValue().stringValue
            } else if let extra = extraFields.first(where: name.matches) {
                switch try reader.readValue() {
                case .string(let text): fields[extra] = text
                case .integer(let value): fields[extra] = String(value)
                case .number(let value): fields[extra] = String(value)
                case .bool(let value): fields[extra] = String(value)
                default: break
                }
            }
        }
        guard let id, let stamp else { return nil }
        return UserRecord(id: id, email: email, firstName: firstName, lastName: lastName, fields: fields, modifiedAt: stamp)
    }
}

extension SyncCursor: Comparable {
    public static func < (lhs: SyncCursor, rhs: SyncCursor) -> Bool {
        lhs.modstamp != rhs.modstamp ? lhs.modstamp < rhs.modstamp : lhs.id < rhs.id
    }
}
