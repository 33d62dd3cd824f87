import ConnectorKit
import Foundation
import GRDB

/// The host's embedded store: one SQLite file in WAL mode (GRDB), holding checkpoints, module
/// state, users, articles with a full-text index, idempotency keys and the event log.
///
/// A ``RecordBatch`` and its checkpoint are written in one transaction with `synchronous = FULL`,
/// so when ``commit(_:)`` returns the batch survives a crash or a SIGKILL, and a checkpoint never
/// runs ahead of the records it covers.
public final class SQLiteStore: StateStore, RecordSink, EventSink, UserDirectory, HandoffStore, Sendable, CustomStringConvertible {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// Copies the WAL into the database file off the write path.
    let checkpointer: WALCheckpointer
    /// Wakes readers of the event log when an event is appended.
    let eventNotifier = EventNotifier()
    /// The time written into rows' `synced_at`.
    private let writeClock = WriteClock()
    /// When knowledge search uses pre-ranked lists.
    let searchTuning: KnowledgeSearchTuning
    /// The words waiting for a list, list use counts, and the warmer's wake-up.
    let searchLists = SearchListState()

    /// Opens (creating when needed) the store at `path` and migrates it to the current schema.
    /// - Throws: ``StoreError`` when the file cannot be opened or migrated.
    public init(path: String, searchTuning: KnowledgeSearchTuning = KnowledgeSearchTuning()) throws {
        self.path = path
        self.searchTuning = searchTuning
        do {
            try PrivateStoreFiles.prepare(databaseAt: path)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // The WAL is checkpointed in the background (WALCheckpointer); SQLite's own
                // checkpoint, which runs inside a commit, only past 64 MiB. After a checkpoint the
                // WAL file is cut back to 8 MB. Durability is the same: the WAL is synced at every commit.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.autoCheckpointPages)")
                try db.execute(sql: "PRAGMA journal_size_limit = 8388608")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            checkpointer = WALCheckpointer(path: path)
            try StoreSchema.migrator.migrate(pool)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
    }

    public var description: String { "SQLiteStore(\(path))" }

    /// A write transaction; the background checkpoint is armed once it commits.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = try await pool.write(updates)
        checkpointer.writeCommitted()
        return result
    }

    // MARK: StateStore

    public func checkpoint(connector: String, stream: String) async throws -> Checkpoint? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT cursor, updated_at FROM checkpoints WHERE connector = ? AND stream = ?",
                             arguments: [connector, stream])
                .map { Checkpoint(stream: stream, cursor: $0["cursor"], updatedAt: Date(timeIntervalSince1970: $0["updated_at"])) }
        }
    }

    public func setModuleState(connector: String, key: String, value: Data?) async throws {
        try await write { db in
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO module_state (connector, key, value) VALUES (?, ?, ?)",
                               arguments: [connector, key, value])
            } else {
                try db.execute(sql: "DELETE FROM module_state WHERE connector = ? AND key = ?", arguments: [connector, key])
            }
        }
    }

    public func moduleState(connector: String, key: String) async throws -> Data? {
        try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT value FROM module_state WHERE connector = ? AND key = ?", arguments: [connector, key])
        }
    }

    // MARK: RecordSink

    @discardableResult
    public func commit(_ batch: RecordBatch) async throws -> CommitResult {
        let now = writeClock.now()
        let touchesArticles = batch.upserts.contains { if case .article = $0 { true } else { false } }
            || (!batch.deletions.isEmpty && (try? StoredRows.table(for: batch.stream.name)) == "articles")
        defer { if touchesArticles { searchLists.articlesChanged() } }
        return try await write { db in
            for record in batch.upserts {
                switch record {
                case .user(let user): try Self.upsert(user, connector: batch.connector, syncedAt: now, db: db)
                case .article(let article): try Self.upsert(article, connector: batch.connector, db: db)
                }
            }
            // A batch with records must name a record stream; a cursor alone may name any stream.
            let table = batch.upserts.isEmpty && batch.deletions.isEmpty ? "" : try StoredRows.table(for: batch.stream.name)
            var removed = 0
            for id in batch.deletions {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE connector = ? AND id = ?").execute(arguments: [batch.connector, id])
                removed += db.changesCount
            }
            if let cursor = batch.checkpoint {
                try db.execute(sql: "INSERT OR REPLACE INTO checkpoints (connector, stream, cursor, updated_at) VALUES (?, ?, ?, ?)",
                               arguments: [batch.connector, batch.stream.name, cursor, now])
            }
            return CommitResult(removed: removed)
        }
    }

    public func reconcile(connector: String, stream: SyncStream, keeping ids: Set<String>) async throws -> Int {
        let table = try StoredRows.table(for: stream.name)
        // Read the stored ids and delete the few that vanished: one pass over the table, where
        // loading every kept id into a temporary table first cost a 100,000-contact sync half a second.
        let removed = try await write { db in
            var vanished: [String] = []
            let stored = try String.fetchCursor(db, sql: "SELECT id FROM \(table) WHERE connector = ?", arguments: [connector])
            while let id = try stored.next() {
                if !ids.contains(id) { vanished.append(id) }
            }
            let delete = try db.cachedStatement(sql: "DELETE FROM \(table) WHERE connector = ? AND id = ?")
            for id in vanished {
                let row = RowWriter(delete, in: db)
                row.bind(1, connector)
                row.bind(2, id)
                try row.execute()
            }
            return vanished.count
        }
        if table == "articles", removed > 0 { searchLists.articlesChanged() }
        return removed
    }

    public func reconcile(connector: String, stream: SyncStream, writtenBefore date: Date) async throws -> Int {
        guard try StoredRows.table(for: stream.name) == "users" else {
            throw StoreError.unknownStream("\(stream) (only users rows carry the time they were written)")
        }
        return try await write { db in
            try db.execute(sql: "DELETE FROM users WHERE connector = ? AND synced_at < ?", arguments: [connector, date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    static func upsert(_ user: UserRecord, connector: String, syncedAt: Double, db: Database) throws {
        // A cached statement, prepared once per connection; the row bound without GRDB's
        // argument arrays (see RowWriter).
        let statement = try db.cachedStatement(sql: """
            INSERT INTO users (connector, id, email, first_name, last_name, fields, modified_at, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (connector, id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
                last_name = excluded.last_name, fields = excluded.fields, modified_at = excluded.modified_at,
                synced_at = excluded.synced_at
            """)
        let row = RowWriter(statement, in: db)
        row.bind(1, connector)
        row.bind(2, user.id)
        row.bind(3, user.email)
        row.bind(4, user.firstName)
        row.bind(5, user.lastName)
        row.bind(6, utf8: StoredRows.fieldsJSONBytes(user.fields))
        row.bind(7, user.modifiedAt.timeIntervalSince1970)
        row.bind(8, syncedAt)
        try row.execute()
    }

    static func upsert(_ article: KnowledgeArticle, connector: String, db: Database) throws {
        let html = StoredRows.fieldsJSON(article.bodyHTML)
        try db.cachedStatement(sql: """
            INSERT INTO articles (connector, id, article_number, title, summary, url_name, language, body_html, body_text, modified_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (connector, id) DO UPDATE SET article_number = excluded.article_number, title = excluded.title,
                summary = excluded.summary, url_name = excluded.url_name, language = excluded.language,
                body_html = excluded.body_html, body_text = excluded.body_text, modified_at = excluded.modified_at
            """).execute(arguments: [connector, article.id, article.articleNumber, article.title, article.summary, article.urlName,
                             article.language, html, article.bodyText, article.modifiedAt.timeIntervalSince1970])
    }

    // MARK: EventSink

    @discardableResult
    public func emit(_ event: ConnectorEvent) async throws -> Int64 {
        let entry = EventCatalog.entry(event.payload)
        let (type, payload, subject) = (entry.type, entry.data.description, entry.subject)
        let handoffRequest = try event.handoffState.map(StoredRows.requestJSON)
        let id = try await write { db -> Int64 in
            if let record = event.handoffState, let handoffRequest { try Self.save(record, request: handoffRequest, db: db) }
            if let position = event.handoffPosition { try Self.advance(position, db: db) }
            if let key = event.deduplicationKey,
               let existing = try Int64.fetchOne(db, sql: "SELECT id FROM events WHERE connector = ? AND dedup_key = ?", arguments: [event.connector, key]) {
                return existing
            }
            try db.cachedStatement(sql: "INSERT INTO events (connector, type, payload, created_at, subject, dedup_key, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: [event.connector, type, payload, Date().timeIntervalSince1970, subject, event.deduplicationKey,
                                     entry.time?.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
        eventNotifier.advance(to: id)
        return id
    }
}

extension JSONEncoder {
    /// Sorted keys and ISO 8601 dates: stable bytes for stored JSON.
    public static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

/// Why the store failed.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public let description: String

    /// The file could not be opened or migrated.
    public static func cannotOpen(path: String, reason: String) -> Self {
        .init(description: "cannot open the store \(path): \(reason)")
    }
    /// A stream the store does not keep records for.
    public static func unknownStream(_ stream: String) -> Self {
        .init(description: "the store keeps no records for stream '\(stream)' (known: users, articles, and users-… / articles-… sub-streams)")
    }
}
