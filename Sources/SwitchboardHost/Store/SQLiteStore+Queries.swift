import ConnectorKit
import Foundation
import GRDB

/// One knowledge search result.
public struct ArticleHit: Sendable, Hashable, Codable {
    /// The connector the article came from.
    public var connector: String
    /// The article version id.
    public var id: String
    /// Title.
    public var title: String
    /// Language.
    public var language: String
    /// URL name.
    public var urlName: String?
    /// A snippet of the best-matching text, matches in `[` `]`.
    public var snippet: String
    /// bm25 rank (lower is better).
    public var rank: Double
}

extension SQLiteStore {
    /// People whose email matches (case-insensitive), across connectors.
    public func users(email: String) async throws -> [(connector: String, user: UserRecord)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT connector, id, email, first_name, last_name, fields, modified_at FROM users
                WHERE email = ? COLLATE NOCASE ORDER BY connector, id
                """, arguments: [email]).map { row in
                let fields = (try? JSONDecoder().decode([String: String].self, from: Data((row["fields"] as String).utf8))) ?? [:]
                return (row["connector"], UserRecord(id: row["id"], email: row["email"], firstName: row["first_name"], lastName: row["last_name"],
                                                     fields: fields, modifiedAt: Date(timeIntervalSince1970: row["modified_at"])))
            }
        }
    }

    /// The user a connector synced under an id.
    public func user(connector: String, id: String) async throws -> UserRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id, email, first_name, last_name, fields, modified_at FROM users WHERE connector = ? AND id = ?",
                             arguments: [connector, id]).map { row in
                let fields = (try? JSONDecoder().decode([String: String].self, from: Data((row["fields"] as String).utf8))) ?? [:]
                return UserRecord(id: row["id"], email: row["email"], firstName: row["first_name"], lastName: row["last_name"],
                                  fields: fields, modifiedAt: Date(timeIntervalSince1970: row["modified_at"]))
            }
        }
    }

    /// How many records a connector's stream holds.
    public func count(connector: String, stream: String) async throws -> Int {
        let table = try Self.table(for: stream)
        return try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE connector = ?", arguments: [connector]) ?? 0
        }
    }

    /// The ids a connector's stream holds.
    public func ids(connector: String, stream: String) async throws -> [String] {
        let table = try Self.table(for: stream)
        return try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM \(table) WHERE connector = ? ORDER BY id", arguments: [connector])
        }
    }

    /// Full-text search over title, summary and body text, best first (bm25, title weighted most),
    /// with a snippet. Words are matched as prefixes; quotes and operators in `query` are taken literally.
    ///
    /// The ranking is FTS5's own (`rank MATCH`, `ORDER BY rank`): it sorts the matches itself and
    /// hands them over best first, so the join, the language filter and the snippet run only for
    /// the rows returned — not for every match, as `ORDER BY bm25(…)` would (20% of a common word's search).
    public func searchArticles(_ query: String, language: String? = nil, limit: Int = 10) async throws -> [ArticleHit] {
        let match = Self.ftsQuery(query)
        guard !match.isEmpty else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.connector, a.id, a.title, a.language, a.url_name,
                       snippet(articles_fts, -1, '[', ']', '…', 12) AS snippet, rank
                FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
                WHERE articles_fts MATCH ? AND rank MATCH 'bm25(10.0, 4.0, 1.0)' AND (? IS NULL OR a.language = ?)
                ORDER BY rank LIMIT ?
                """, arguments: [match, language, language, limit]).map { row in
                ArticleHit(connector: row["connector"], id: row["id"], title: row["title"], language: row["language"],
                           urlName: row["url_name"], snippet: row["snippet"], rank: row["rank"])
            }
        }
    }

    /// A safe FTS5 query: each word quoted, as a prefix, all required.
    static func ftsQuery(_ text: String) -> String {
        text.split { !$0.isLetter && !$0.isNumber }
            .map { "\"\($0.replacingOccurrences(of: "\"", with: ""))\"*" }
            .joined(separator: " ")
    }

    // MARK: Admin: state show / reset

    /// Checkpoints of a connector (one stream or all).
    public func checkpoints(connector: String, stream: String? = nil) async throws -> [Checkpoint] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT stream, cursor, updated_at FROM checkpoints WHERE connector = ? AND (? IS NULL OR stream = ?) ORDER BY stream
                """, arguments: [connector, stream, stream])
                .map { Checkpoint(stream: $0["stream"], cursor: $0["cursor"], updatedAt: Date(timeIntervalSince1970: $0["updated_at"])) }
        }
    }

    /// Forgets a connector's checkpoints (one stream or all), so the next sync reads everything.
    @discardableResult
    public func resetCheckpoints(connector: String, stream: String? = nil) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM checkpoints WHERE connector = ? AND (? IS NULL OR stream = ?)", arguments: [connector, stream, stream])
            return db.changesCount
        }
    }
}
