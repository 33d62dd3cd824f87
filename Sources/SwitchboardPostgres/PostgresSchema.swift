import Logging
import PostgresNIO

/// The PostgreSQL store's schema, as numbered migrations (never edit one that shipped; add the
/// next), applied at start-up by whichever host gets the advisory lock first; the others wait for
/// it and find nothing left to do.
enum PostgresSchema {
    /// The advisory lock key migrations run under (any constant all hosts share).
    static let migrationLock: Int64 = 0x5357_4244_4d49_4752  // "SWBDMIGR"
    /// The advisory lock key event appends take, so ids are assigned in commit order.
    static let eventLock: Int64 = 0x5357_4244_4556_4e54  // "SWBDEVNT"

    /// The text search configuration of article search: `simple` (lower-cased words, no stemming,
    /// like FTS5's unicode61) behind `unaccent`.
    static let textSearch = "switchboard_text"

    static let migrations: [(id: String, sql: [String])] = [
        ("v1: checkpoints, module state, users, articles with full-text search, event log, handoffs", [
            """
            CREATE TABLE checkpoints (
                connector TEXT NOT NULL, stream TEXT NOT NULL, cursor TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (connector, stream))
            """,
            """
            CREATE TABLE module_state (connector TEXT NOT NULL, key TEXT NOT NULL, value BYTEA NOT NULL, PRIMARY KEY (connector, key))
            """,
            """
            CREATE TABLE users (
                connector TEXT NOT NULL, id TEXT NOT NULL, email TEXT, first_name TEXT, last_name TEXT, fields TEXT NOT NULL,
                modified_at DOUBLE PRECISION NOT NULL, synced_at DOUBLE PRECISION NOT NULL DEFAULT 0, PRIMARY KEY (connector, id))
            """,
            "CREATE INDEX users_by_email ON users (lower(email))",
            // Title weighs A, summary B, body D: ts_rank's weights {D,C,B,A} = {0.1, 0, 0.4, 1} give FTS5's 1:4:10.
            // 'simple' like FTS5's unicode61: lower-cased words, no stemming.
            """
            CREATE TABLE articles (
                rowid BIGSERIAL PRIMARY KEY, connector TEXT NOT NULL, id TEXT NOT NULL, article_number TEXT,
                title TEXT NOT NULL, summary TEXT, url_name TEXT, language TEXT NOT NULL,
                body_html TEXT NOT NULL, body_text TEXT NOT NULL, modified_at DOUBLE PRECISION NOT NULL,
                search TSVECTOR GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', coalesce(summary, '')), 'B')
                    || setweight(to_tsvector('simple', body_text), 'D')) STORED,
                UNIQUE (connector, id))
            """,
            "CREATE INDEX articles_search ON articles USING GIN (search)",
            """
            CREATE TABLE events (
                id BIGINT PRIMARY KEY, connector TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL, subject TEXT, dedup_key TEXT, occurred_at DOUBLE PRECISION)
            """,
            "CREATE UNIQUE INDEX events_dedup ON events (connector, dedup_key) WHERE dedup_key IS NOT NULL",
            "CREATE INDEX events_by_subject ON events (subject, id) WHERE subject IS NOT NULL",
            """
            CREATE TABLE handoffs (
                id TEXT PRIMARY KEY, connector TEXT NOT NULL, conversation_id TEXT NOT NULL, employee_id TEXT NOT NULL,
                status TEXT NOT NULL, last_event_id TEXT, request TEXT NOT NULL, end_reason TEXT,
                status_changed_at DOUBLE PRECISION, status_entry_id TEXT, created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL, last_entry_at DOUBLE PRECISION)
            """,
            "CREATE INDEX handoffs_open ON handoffs (connector, status, created_at)",
        ]),
        ("v2: leases on work that runs on one host at a time (holder, fencing token, expiry on the database's clock)", [
            "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)",
        ]),
        // FTS5's unicode61 remove_diacritics 2 folds accents (redemarrer finds Redémarrer): 'simple'
        // behind the unaccent dictionary does the same. unaccent is a trusted extension (PostgreSQL
        // 13+): the database's owner may create it.
        ("v3: accents folded in article search (text search configuration switchboard_text = unaccent, simple)", [
            "CREATE EXTENSION IF NOT EXISTS unaccent",
            "CREATE TEXT SEARCH CONFIGURATION \(textSearch) (COPY = simple)",
            "ALTER TEXT SEARCH CONFIGURATION \(textSearch) ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple",
            "ALTER TABLE articles DROP COLUMN search",
            """
            ALTER TABLE articles ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
                setweight(to_tsvector('\(textSearch)', title), 'A') || setweight(to_tsvector('\(textSearch)', coalesce(summary, '')), 'B')
                || setweight(to_tsvector('\(textSearch)', body_text), 'D')) STORED
            """,
            "CREATE INDEX articles_search ON articles USING GIN (search)",
        ]),
    ]

    /// Applies the migrations not applied yet, under the migration lock, each in its own transaction.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(migrationLock))", logger: logger)
            do {
                try await connection.query("CREATE TABLE IF NOT EXISTS switchboard_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                                           logger: logger)
                var applied: Set<String> = []
                for try await id in try await connection.query("SELECT id FROM switchboard_migrations", logger: logger).decode(String.self) {
                    applied.insert(id)
                }
                for migration in migrations where !applied.contains(migration.id) {
                    do {
                        try await connection.withTransaction(logger: logger) { transaction in
                            for statement in migration.sql { try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                            try await transaction.query("INSERT INTO switchboard_migrations (id) VALUES (\(migration.id))", logger: logger)
                        }
                    } catch let error as PostgresTransactionError {
                        throw MigrationFailed(migration: migration.id, error: error.closureError ?? error.beginError ?? error.commitError ?? error)
                    }
                    logger.info("store migrated", metadata: ["migration": .string(migration.id)])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
        }
    }
}

/// A migration the database refused: which, and the server's message (for the admin: a missing
/// `unaccent` extension, a role that may not create tables).
struct MigrationFailed: Error, CustomStringConvertible {
    let migration: String
    let error: any Error

    var description: String {
        "the PostgreSQL store could not be migrated (\(migration)): \(PostgresStore.describe(error))"
            + (migration.hasPrefix("v3") ? " — the role needs to create the unaccent extension (trusted since PostgreSQL 13), or an admin runs CREATE EXTENSION unaccent in the database" : "")
    }
}
