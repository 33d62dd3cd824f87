import Foundation
import GRDB

extension SQLiteStore {
    /// Full-text search over title, summary and body text, best first (bm25, title weighted most),
    /// with a snippet. Words are matched as prefixes, all required; quotes and operators in `query`
    /// are taken literally.
    ///
    /// The ranking is FTS5's bm25 in every case. A search whose words are all frequent and have
    /// current pre-ranked lists (``refreshSearchLists()``) scores only the lists' articles and proves
    /// that no other article can rank higher; any other search ranks every match.
    public func searchArticles(_ query: String, language: String? = nil, limit: Int = 10) async throws -> [ArticleHit] {
        try await searchArticlesExplained(query, language: language, limit: limit).hits
    }

    /// ``searchArticles(_:language:limit:)``, saying how the results were found.
    public func searchArticlesExplained(_ query: String, language: String? = nil, limit: Int = 10) async throws
        -> (hits: [ArticleHit], path: KnowledgeSearchPath) {
        let tokens = Self.searchTokens(query)
        guard !tokens.isEmpty, limit > 0 else { return ([], .rankedEveryMatch) }
        let match = Self.ftsQuery(tokens)
        let keys = Array(Set(tokens)).sorted().map { SearchListState.Key(token: $0, language: language ?? "") }
        let tuning = searchTuning
        let found = try await pool.read { db -> (hits: [ArticleHit], path: KnowledgeSearchPath, missing: [SearchListState.Key]) in
            var lists: [String: SearchList] = [:]
            var missing: [SearchListState.Key] = []
            if limit <= tuning.depth {
                let generation = try Self.articlesGeneration(db)
                for key in keys {
                    if let list = try SearchList.fetch(db, key: key, generation: generation) { lists[key.token] = list } else { missing.append(key) }
                }
            }
            if missing.isEmpty, lists.count == keys.count, lists.values.allSatisfy({ $0.entries != nil }),
               case let listMatch = Self.ftsQuery(tokens, onlyWords: Set(lists.filter(\.value.onlyWord).keys)),
               let (ranked, path) = try Self.rankFromLists(db, tokens: tokens, lists: lists, match: listMatch, limit: limit, tuning: tuning) {
                let oneDoclist = tokens.allSatisfy { lists[$0]?.onlyWord == true || StoreSchema.indexedPrefixLengths.contains($0.count) }
                return (try Self.hits(db, ranked: ranked, match: listMatch, lookUpRows: oneDoclist), path, [])
            }
            return (try Self.rankEveryMatch(db, match: match, language: language, limit: limit), .rankedEveryMatch, missing)
        }
        if !found.missing.isEmpty { searchLists.request(found.missing) }
        searchLists.used(keys)
        return (found.hits, found.path)
    }

    /// The words of a query, lower-cased (FTS5 folds case too): letters and digits, nothing else.
    static func searchTokens(_ text: String) -> [String] {
        text.split { !$0.isLetter && !$0.isNumber }.map { $0.lowercased() }
    }

    /// A safe FTS5 query: each word quoted, as a prefix, all required; a word the index knows no
    /// longer form of (`onlyWords`) as itself, which finds and ranks the same.
    static func ftsQuery(_ tokens: [String], onlyWords: Set<String> = []) -> String {
        tokens.map { onlyWords.contains($0) ? exactPhrase($0) : phrase($0) }.joined(separator: " ")
    }

    /// One word as an FTS5 prefix phrase.
    static func phrase(_ token: String) -> String { exactPhrase(token) + "*" }

    /// One word as an FTS5 phrase.
    static func exactPhrase(_ token: String) -> String { "\"\(token.replacingOccurrences(of: "\"", with: ""))\"" }

    /// The bm25 weights of title, summary and body text.
    static let rankWeights = "10.0, 4.0, 1.0"

    /// The generation of the articles: it moves on every insert, update and delete (triggers).
    static func articlesGeneration(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM search_generation WHERE id = 1") ?? 0
    }

    /// FTS5 ranks every match (`rank MATCH`, `ORDER BY rank`): it sorts the matches itself and
    /// hands them over best first, so the join, the language filter and the snippet run only for
    /// the rows returned.
    static func rankEveryMatch(_ db: Database, match: String, language: String?, limit: Int) throws -> [ArticleHit] {
        try Row.fetchAll(db, sql: """
            SELECT a.connector, a.id, a.title, a.language, a.url_name,
                   snippet(articles_fts, -1, '[', ']', '…', 12) AS snippet, rank
            FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
            WHERE articles_fts MATCH ? AND rank MATCH 'bm25(\(rankWeights))' AND (? IS NULL OR a.language = ?)
            ORDER BY rank LIMIT ?
            """, arguments: [match, language, language, limit]).map { row in
            ArticleHit(connector: row["connector"], id: row["id"], title: row["title"], language: row["language"],
                       urlName: row["url_name"], snippet: row["snippet"], rank: row["rank"])
        }
    }

    /// The top `limit` from the words' lists (``ListRanking``), scoring the lists' articles with
    /// FTS5 when the lists alone prove nothing; nil when even that proves nothing.
    static func rankFromLists(_ db: Database, tokens: [String], lists: [String: SearchList], match: String, limit: Int,
                              tuning: KnowledgeSearchTuning) throws -> ([SearchList.Entry], KnowledgeSearchPath)? {
        switch ListRanking.rank(lists: tokens.map { lists[$0]?.entries ?? [] }, limit: limit, depth: tuning.depth) {
        case .ranked(let top):
            return (top, tokens.count == 1 ? .list : .lists)
        case .score(let candidates, let threshold, let complete):
            let scored = try scoreCandidates(db, candidates, match: match, limit: limit)
            return complete || (scored.count == limit && scored[limit - 1].rank < threshold) ? (scored, .threshold) : nil
        }
    }

    /// The best `limit` of `candidates` by the query's bm25 (FTS5's own, idf over every article).
    /// The `+` keeps the rowid test out of FTS5: pushed in, each candidate would be a separate
    /// FTS5 query that recounts every word's matches for its idf. The scoring pass costs about the
    /// same for 250 candidates as for 2,000 (it is the words' doclists that are read), so the lists
    /// are used at their full depth at once.
    static func scoreCandidates(_ db: Database, _ candidates: Set<Int64>, match: String, limit: Int) throws -> [SearchList.Entry] {
        try Row.fetchAll(db, sql: """
            SELECT rowid, bm25(articles_fts, \(rankWeights)) AS score FROM articles_fts
            WHERE articles_fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))
            ORDER BY score, rowid LIMIT ?
            """, arguments: [match, jsonArray(candidates), limit]).map { SearchList.Entry(rowid: $0["rowid"], rank: $0["score"]) }
    }

    /// The articles and snippets of ranked rows, in their order. With `lookUpRows` (every word of
    /// the match is one doclist: an exact word, or a prefix the index keeps) FTS5 looks each row
    /// up; otherwise one pass over the matches (the `+` again), since a longer prefix is a merge of
    /// every word it begins, which FTS5 would redo for each row.
    static func hits(_ db: Database, ranked: [SearchList.Entry], match: String, lookUpRows: Bool) throws -> [ArticleHit] {
        guard !ranked.isEmpty else { return [] }
        var byRow: [Int64: ArticleHit] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT a.rowid, a.connector, a.id, a.title, a.language, a.url_name,
                   snippet(articles_fts, -1, '[', ']', '…', 12) AS snippet
            FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
            WHERE articles_fts MATCH ? AND \(lookUpRows ? "" : "+")articles_fts.rowid IN (SELECT value FROM json_each(?))
            """, arguments: [match, jsonArray(ranked.map(\.rowid))]) {
            byRow[row["rowid"]] = ArticleHit(connector: row["connector"], id: row["id"], title: row["title"], language: row["language"],
                                             urlName: row["url_name"], snippet: row["snippet"], rank: 0)
        }
        return ranked.compactMap { entry in
            byRow[entry.rowid].map { hit in
                var hit = hit
                hit.rank = entry.rank
                return hit
            }
        }
    }

    /// Row ids as a JSON array (for `json_each`).
    static func jsonArray(_ rowids: some Sequence<Int64>) -> String {
        "[" + rowids.map(String.init).joined(separator: ",") + "]"
    }
}
