import Foundation
import GRDB

extension SQLiteStore {
    /// Builds the pre-ranked lists searches asked for and rebuilds the ones the articles' changes
    /// made stale (most used first, at most ``KnowledgeSearchTuning/refreshBatch`` per call). Each
    /// list is read in one snapshot of the store and tagged with its generation, so a list built
    /// while articles were written is never used for the newer articles. The host's
    /// ``SearchListWarmer`` calls this after syncs; `switchboard` commands need not.
    @discardableResult
    public func refreshSearchLists() async throws -> SearchListRefresh {
        let tuning = searchTuning
        let (requested, uses) = searchLists.take()
        let stale = try await pool.read { db -> [SearchListState.Key] in
            let generation = try Self.articlesGeneration(db)
            return try Row.fetchAll(db, sql: """
                SELECT token, language FROM search_lists WHERE generation <> ? ORDER BY uses DESC, token LIMIT ?
                """, arguments: [generation, tuning.refreshBatch]).map { SearchListState.Key(token: $0["token"], language: $0["language"]) }
        }
        var keys: [SearchListState.Key] = []
        var seen: Set<SearchListState.Key> = []
        for key in requested.sorted(by: { uses[$0, default: 0] > uses[$1, default: 0] }) + stale where seen.insert(key).inserted {
            keys.append(key)
        }
        var refresh = SearchListRefresh()
        if keys.count > tuning.refreshBatch {
            let rest = keys[tuning.refreshBatch...]
            searchLists.requeue(rest.filter { requested.contains($0) })
            refresh.remaining = rest.count
            keys.removeLast(rest.count)
        }
        for key in keys {
            let list = try await pool.read { db in try Self.buildSearchList(db, key: key, tuning: tuning) }
            if list.entries == nil { refresh.infrequent += 1 } else { refresh.built += 1 }
            try await write { db in
                try db.execute(sql: """
                    INSERT INTO search_lists (token, language, generation, matching, only_word, entries, uses) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (token, language) DO UPDATE SET generation = excluded.generation, matching = excluded.matching,
                        only_word = excluded.only_word, entries = excluded.entries, uses = uses + excluded.uses
                    """, arguments: [key.token, key.language, list.generation, list.matching, list.onlyWord,
                                     list.entries.map(SearchList.encode), uses[key, default: 0]])
            }
        }
        let refreshed = Set(keys)
        try await write { db in
            for (key, count) in uses where !refreshed.contains(key) {
                try db.execute(sql: "UPDATE search_lists SET uses = uses + ? WHERE token = ? AND language = ?",
                               arguments: [count, key.token, key.language])
            }
            try db.execute(sql: """
                DELETE FROM search_lists WHERE rowid NOT IN (SELECT rowid FROM search_lists ORDER BY uses DESC, generation DESC LIMIT ?)
                """, arguments: [tuning.maxLists])
        }
        return refresh
    }

    /// A word's list as of the snapshot `db` reads: how many articles it matches and, when that is
    /// more than ``KnowledgeSearchTuning/frequentAbove``, its best ``KnowledgeSearchTuning/depth``
    /// articles by the search's own ranking (language-filtered when the key has a language).
    static func buildSearchList(_ db: Database, key: SearchListState.Key, tuning: KnowledgeSearchTuning) throws -> SearchList {
        let generation = try articlesGeneration(db)
        let phrase = phrase(key.token)
        let matching = try Int.fetchOne(db, sql: "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", arguments: [phrase]) ?? 0
        guard matching > tuning.frequentAbove else {
            return SearchList(generation: generation, matching: matching, onlyWord: false, entries: nil)
        }
        let language: String? = key.language.isEmpty ? nil : key.language
        let entries = try Row.fetchAll(db, sql: """
            SELECT articles_fts.rowid AS rowid, rank FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
            WHERE articles_fts MATCH ? AND rank MATCH 'bm25(\(rankWeights))' AND (? IS NULL OR a.language = ?)
            ORDER BY rank LIMIT ?
            """, arguments: [phrase, language, language, tuning.depth]).map { SearchList.Entry(rowid: $0["rowid"], rank: $0["rank"]) }
        return SearchList(generation: generation, matching: matching, onlyWord: try isOnlyWord(db, key.token), entries: entries)
    }

    /// Whether the index holds `token` and no longer word beginning with it. Only for a plain
    /// ASCII word (the tokenizer folds others, so the indexed form could differ from the query's).
    static func isOnlyWord(_ db: Database, _ token: String) throws -> Bool {
        guard !token.isEmpty, token.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isLowercase || ("0"..."9").contains($0)) }),
              let last = token.unicodeScalars.last, let next = Unicode.Scalar(last.value + 1) else { return false }
        let above = String(token.unicodeScalars.dropLast()) + String(next)
        let words = try String.fetchAll(db, sql: "SELECT term FROM articles_vocabulary WHERE term >= ? AND term < ? LIMIT 2",
                                        arguments: [token, above])
        return words == [token]
    }

    /// Waits until the store has search-list work (articles changed, or a search asked for a
    /// list), then until the articles stop changing for `quiet`, and returns. Throws
    /// `CancellationError` when cancelled.
    func waitForSearchListWork(quiet: Duration) async throws {
        var wakeUps = searchLists.wakeUps.makeAsyncIterator()
        guard await wakeUps.next() != nil else { throw CancellationError() }
        var changes = searchLists.changes
        while true {
            try await Task.sleep(for: quiet)
            let now = searchLists.changes
            if now == changes { return }
            changes = now
        }
    }
}
