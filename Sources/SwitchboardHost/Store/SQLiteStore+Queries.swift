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

    /// A result as a store found it.
    public init(connector: String, id: String, title: String, language: String, urlName: String?, snippet: String, rank: Double) {
        self.connector = connector
        self.id = id
        self.title = title
        self.language = language
        self.urlName = urlName
        self.snippet = snippet
        self.rank = rank
    }
}

extension SQLiteStore {
    /// People whose email matches (case-insensitive), across connectors.
    public func users(email: String) async throws -> [(connector: String, user: UserRecord)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT connector, id, email, first_name, last_name, fields, modified_at FROM users
                WHERE email = ? COLLATE NOCASE ORDER BY connector, id
                """, arguments: [email]).map { row in
                let fields = StoredRows.fields(fromJSON: row["fields"])
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
                let fields = StoredRows.fields(fromJSON: row["fields"])
                return UserRecord(id: row["id"], email: row["email"], firstName: row["first_name"], lastName: row["last_name"],
                                  fields: fields, modifiedAt: Date(timeIntervalSince1970: row["modified_at"]))
            }
        }
    }

    /// How many records a connector's stream holds.
    public func count(connector: String, stream: String) async throws -> Int {
        let table = try StoredRows.table(for: stream)
        return try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE connector = ?", arguments: [connector]) ?? 0
        }
    }

    /// The ids a connector's stream holds.
    public func ids(connector: String, stream: String) async throws -> [String] {
        let table = try StoredRows.table(for: stream)
        return try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM \(table) WHERE connector = ? ORDER BY id", arguments: [connector])
        }
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
