import ConnectorKit
import Foundation
import PostgresNIO
import SwitchboardHost

extension PostgresStore {
    // MARK: StateStore

    public func checkpoint(connector: String, stream: String) async throws -> Checkpoint? {
        let rows = try await client.query("SELECT cursor, updated_at FROM checkpoints WHERE connector = \(connector) AND stream = \(stream)", logger: logger)
        for try await (cursor, updatedAt) in rows.decode((String, Double).self) {
            return Checkpoint(stream: stream, cursor: cursor, updatedAt: Date(timeIntervalSince1970: updatedAt))
        }
        return nil
    }

    public func setModuleState(connector: String, key: String, value: Data?) async throws {
        try await transaction { connection in
            try await self.checkFence(on: connection)
            if let value {
                try await connection.query("""
                    INSERT INTO module_state (connector, key, value) VALUES (\(connector), \(key), \(value))
                    ON CONFLICT (connector, key) DO UPDATE SET value = excluded.value
                    """, logger: self.logger)
            } else {
                try await connection.query("DELETE FROM module_state WHERE connector = \(connector) AND key = \(key)", logger: self.logger)
            }
        }
    }

    public func moduleState(connector: String, key: String) async throws -> Data? {
        let rows = try await client.query("SELECT value FROM module_state WHERE connector = \(connector) AND key = \(key)", logger: logger)
        for try await value in rows.decode(Data.self) { return value }
        return nil
    }

    // MARK: RecordSink

    public func commit(_ batch: RecordBatch) async throws -> CommitResult {
        let now = writeClock.now()
        let table = batch.upserts.isEmpty && batch.deletions.isEmpty ? "" : try StoredRows.table(for: batch.stream.name)
        return try await transaction { connection in
            try await self.checkFence(on: connection)
            var users: [UserRecord] = [], articles: [KnowledgeArticle] = []
            for record in batch.upserts {
                switch record {
                case .user(let user): users.append(user)
                case .article(let article): articles.append(article)
                }
            }
            if !users.isEmpty {
                try await connection.query("""
                    INSERT INTO users (connector, id, email, first_name, last_name, fields, modified_at, synced_at)
                    SELECT \(batch.connector), r.id, r.email, r.first_name, r.last_name, r.fields, r.modified_at, \(now)
                    FROM json_to_recordset(\(PostgresRowBatch.users(users))::json)
                        AS r(id text, email text, first_name text, last_name text, fields text, modified_at float8)
                    ON CONFLICT (connector, id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
                        last_name = excluded.last_name, fields = excluded.fields, modified_at = excluded.modified_at,
                        synced_at = excluded.synced_at
                    """, logger: self.logger)
            }
            if !articles.isEmpty {
                try await connection.query("""
                    INSERT INTO articles (connector, id, article_number, title, summary, url_name, language, body_html, body_text, modified_at)
                    SELECT \(batch.connector), r.id, r.article_number, r.title, r.summary, r.url_name, r.language, r.body_html, r.body_text, r.modified_at
                    FROM json_to_recordset(\(PostgresRowBatch.articles(articles))::json)
                        AS r(id text, article_number text, title text, summary text, url_name text, language text, body_html text,
                             body_text text, modified_at float8)
                    ON CONFLICT (connector, id) DO UPDATE SET article_number = excluded.article_number, title = excluded.title,
                        summary = excluded.summary, url_name = excluded.url_name, language = excluded.language,
                        body_html = excluded.body_html, body_text = excluded.body_text, modified_at = excluded.modified_at
                    """, logger: self.logger)
            }
            var removed = 0
            if !batch.deletions.isEmpty {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE connector = $1 AND id = ANY($2) RETURNING 1",
                                                                    binds: try Self.binds(batch.connector, batch.deletions)), logger: logger)
                for try await _ in rows { removed += 1 }
            }
            if let cursor = batch.checkpoint {
                try await connection.query("""
                    INSERT INTO checkpoints (connector, stream, cursor, updated_at) VALUES (\(batch.connector), \(batch.stream.name), \(cursor), \(now))
                    ON CONFLICT (connector, stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
                    """, logger: logger)
            }
            return CommitResult(removed: removed)
        }
    }

    public func reconcile(connector: String, stream: SyncStream, keeping ids: Set<String>) async throws -> Int {
        let table = try StoredRows.table(for: stream.name)
        return try await transaction { connection in
            try await self.checkFence(on: connection)
            var vanished: [String] = []
            let stored = try await connection.query(PostgresQuery(unsafeSQL: "SELECT id FROM \(table) WHERE connector = $1 FOR UPDATE",
                                                                  binds: try Self.binds(connector)), logger: logger)
            for try await id in stored.decode(String.self) where !ids.contains(id) { vanished.append(id) }
            if !vanished.isEmpty {
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE connector = $1 AND id = ANY($2)",
                                                         binds: try Self.binds(connector, vanished)), logger: logger)
            }
            return vanished.count
        }
    }

    public func reconcile(connector: String, stream: SyncStream, writtenBefore date: Date) async throws -> Int {
        guard try StoredRows.table(for: stream.name) == "users" else {
            throw StoreError.unknownStream("\(stream) (only users rows carry the time they were written)")
        }
        return try await transaction { connection in
            try await self.checkFence(on: connection)
            let rows = try await connection.query("DELETE FROM users WHERE connector = \(connector) AND synced_at < \(date.timeIntervalSince1970) RETURNING 1",
                                                  logger: self.logger)
            var removed = 0
            for try await _ in rows { removed += 1 }
            return removed
        }
    }

    // MARK: UserDirectory

    public func users(email: String) async throws -> [(connector: String, user: UserRecord)] {
        let rows = try await client.query("""
            SELECT connector, id, email, first_name, last_name, fields, modified_at FROM users
            WHERE lower(email) = lower(\(email)) ORDER BY connector, id
            """, logger: logger)
        var found: [(connector: String, user: UserRecord)] = []
        for try await (connector, id, mail, first, last, fields, modified) in rows.decode((String, String, String?, String?, String?, String, Double).self) {
            found.append((connector, Self.user(id: id, email: mail, first: first, last: last, fields: fields, modified: modified)))
        }
        return found
    }

    public func user(connector: String, id: String) async throws -> UserRecord? {
        let rows = try await client.query("""
            SELECT id, email, first_name, last_name, fields, modified_at FROM users WHERE connector = \(connector) AND id = \(id)
            """, logger: logger)
        for try await (id, mail, first, last, fields, modified) in rows.decode((String, String?, String?, String?, String, Double).self) {
            return Self.user(id: id, email: mail, first: first, last: last, fields: fields, modified: modified)
        }
        return nil
    }

    static func user(id: String, email: String?, first: String?, last: String?, fields: String, modified: Double) -> UserRecord {
        UserRecord(id: id, email: email, firstName: first, lastName: last, fields: StoredRows.fields(fromJSON: fields), modifiedAt: Date(timeIntervalSince1970: modified))
    }

    // MARK: Admin

    public func count(connector: String, stream: String) async throws -> Int {
        let table = try StoredRows.table(for: stream)
        let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE connector = $1", binds: try Self.binds(connector)),
                                          logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    public func ids(connector: String, stream: String) async throws -> [String] {
        let table = try StoredRows.table(for: stream)
        let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT id FROM \(table) WHERE connector = $1 ORDER BY id COLLATE \"C\"",
                                                        binds: try Self.binds(connector)), logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    public func checkpoints(connector: String, stream: String?) async throws -> [Checkpoint] {
        let rows = try await client.query("""
            SELECT stream, cursor, updated_at FROM checkpoints WHERE connector = \(connector) AND (\(stream)::text IS NULL OR stream = \(stream))
            ORDER BY stream COLLATE "C"
            """, logger: logger)
        var checkpoints: [Checkpoint] = []
        for try await (stream, cursor, updated) in rows.decode((String, String, Double).self) {
            checkpoints.append(Checkpoint(stream: stream, cursor: cursor, updatedAt: Date(timeIntervalSince1970: updated)))
        }
        return checkpoints
    }

    @discardableResult
    public func resetCheckpoints(connector: String, stream: String?) async throws -> Int {
        let rows = try await client.query("""
            DELETE FROM checkpoints WHERE connector = \(connector) AND (\(stream)::text IS NULL OR stream = \(stream)) RETURNING 1
            """, logger: logger)
        var removed = 0
        for try await _ in rows { removed += 1 }
        return removed
    }

    /// Binds for a query written with `$n` placeholders (table names cannot be bound).
    static func binds(_ values: any PostgresEncodable...) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { try bindings.append(value) }
        return bindings
    }
}
