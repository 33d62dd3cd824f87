import GRDB

/// The store's schema, as numbered migrations (never edit one that shipped; add the next).
enum StoreSchema {
    /// The word-prefix lengths the full-text index keeps (`prefix='2 3 4'`, migration v6): a query
    /// word of such a length reads one doclist; a longer one merges every word it begins.
    static let indexedPrefixLengths: Set<Int> = [2, 3, 4]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: checkpoints, module state, users, articles + FTS5, idempotency keys, event log") { db in
            try db.execute(sql: """
                CREATE TABLE checkpoints (
                    connector TEXT NOT NULL, stream TEXT NOT NULL, cursor TEXT NOT NULL, updated_at REAL NOT NULL,
                    PRIMARY KEY (connector, stream));
                CREATE TABLE module_state (
                    connector TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                    PRIMARY KEY (connector, key));
                CREATE TABLE users (
                    connector TEXT NOT NULL, id TEXT NOT NULL, email TEXT, first_name TEXT, last_name TEXT,
                    fields TEXT NOT NULL, modified_at REAL NOT NULL,
                    PRIMARY KEY (connector, id));
                CREATE INDEX users_by_email ON users (email COLLATE NOCASE);
                CREATE TABLE articles (
                    rowid INTEGER PRIMARY KEY, connector TEXT NOT NULL, id TEXT NOT NULL, article_number TEXT,
                    title TEXT NOT NULL, summary TEXT, url_name TEXT, language TEXT NOT NULL,
                    body_html TEXT NOT NULL, body_text TEXT NOT NULL, modified_at REAL NOT NULL,
                    UNIQUE (connector, id));
                CREATE VIRTUAL TABLE articles_fts USING fts5(
                    title, summary, body_text, content='articles', content_rowid='rowid',
                    tokenize='unicode61 remove_diacritics 2');
                CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
                    INSERT INTO articles_fts(rowid, title, summary, body_text) VALUES (new.rowid, new.title, new.summary, new.body_text);
                END;
                CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
                    INSERT INTO articles_fts(articles_fts, rowid, title, summary, body_text)
                        VALUES ('delete', old.rowid, old.title, old.summary, old.body_text);
                END;
                CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
                    INSERT INTO articles_fts(articles_fts, rowid, title, summary, body_text)
                        VALUES ('delete', old.rowid, old.title, old.summary, old.body_text);
                    INSERT INTO articles_fts(rowid, title, summary, body_text) VALUES (new.rowid, new.title, new.summary, new.body_text);
                END;
                CREATE TABLE idempotency_keys (
                    connector TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, state TEXT NOT NULL,
                    record_id TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL,
                    PRIMARY KEY (connector, key));
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, connector TEXT NOT NULL, type TEXT NOT NULL,
                    payload TEXT NOT NULL, created_at REAL NOT NULL);
                """)
        }
        migrator.registerMigration("v2: handoffs; event subjects and de-duplication keys") { db in
            try db.execute(sql: """
                ALTER TABLE events ADD COLUMN subject TEXT;
                ALTER TABLE events ADD COLUMN dedup_key TEXT;
                CREATE UNIQUE INDEX events_dedup ON events (connector, dedup_key) WHERE dedup_key IS NOT NULL;
                CREATE INDEX events_by_subject ON events (subject, id) WHERE subject IS NOT NULL;
                CREATE TABLE handoffs (
                    id TEXT PRIMARY KEY, connector TEXT NOT NULL, conversation_id TEXT NOT NULL, employee_id TEXT NOT NULL,
                    status TEXT NOT NULL, last_event_id TEXT, request TEXT NOT NULL, end_reason TEXT,
                    status_changed_at REAL, status_entry_id TEXT,
                    created_at REAL NOT NULL, updated_at REAL NOT NULL);
                CREATE INDEX handoffs_open ON handoffs (connector, status, created_at);
                """)
        }
        migrator.registerMigration("v3: the time of a handoff's newest relayed entry") { db in
            try db.execute(sql: "ALTER TABLE handoffs ADD COLUMN last_entry_at REAL")
        }
        migrator.registerMigration("v4: when each user row was last written (a resumed full sync reconciles by it)") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN synced_at REAL NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v5: API v1 events — when each happened at its source") { db in
            try db.execute(sql: "ALTER TABLE events ADD COLUMN occurred_at REAL")
        }
        migrator.registerMigration("v6: prefix indexes for knowledge search (words match as prefixes)") { db in
            // A query word is a prefix ("the"* is the, there, them, theory…): without an index of
            // prefixes FTS5 merges every matching term's postings, most of a common word's search time.
            try db.execute(sql: """
                DROP TABLE articles_fts;
                CREATE VIRTUAL TABLE articles_fts USING fts5(
                    title, summary, body_text, content='articles', content_rowid='rowid',
                    tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');
                INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
                """)
        }
        migrator.registerMigration("v7: knowledge search lists (each frequent word's best articles, kept per article generation)") { db in
            // The generation counts writes to articles (triggers, so every writer counts); a list
            // is used only while the generation it was built at is current (SearchLists).
            try db.execute(sql: """
                CREATE TABLE search_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
                INSERT INTO search_generation (id, value) VALUES (1, 0);
                CREATE TRIGGER articles_generation_ai AFTER INSERT ON articles BEGIN
                    UPDATE search_generation SET value = value + 1 WHERE id = 1;
                END;
                CREATE TRIGGER articles_generation_ad AFTER DELETE ON articles BEGIN
                    UPDATE search_generation SET value = value + 1 WHERE id = 1;
                END;
                CREATE TRIGGER articles_generation_au AFTER UPDATE ON articles BEGIN
                    UPDATE search_generation SET value = value + 1 WHERE id = 1;
                END;
                CREATE TABLE search_lists (
                    token TEXT NOT NULL, language TEXT NOT NULL, generation INTEGER NOT NULL,
                    matching INTEGER NOT NULL, only_word INTEGER NOT NULL DEFAULT 0, entries BLOB,
                    uses INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (token, language));
                CREATE VIRTUAL TABLE articles_vocabulary USING fts5vocab(articles_fts, 'row');
                """)
        }
        return migrator
    }
}
