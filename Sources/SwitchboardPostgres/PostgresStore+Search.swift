import Foundation
import PostgresNIO
import SwitchboardHost

extension PostgresStore {
    /// Full-text search over title, summary and body: every word a prefix and all required
    /// (`'word':*` joined by `&`, each quoted so operators are taken literally), ranked by
    /// `ts_rank` with the title weighted most (A 1.0, summary B 0.4, body D 0.1 — FTS5's 10:4:1),
    /// the snippet from `ts_headline` for the rows returned only; accents fold (`unaccent`). `rank` is negated so that, as
    /// with FTS5's bm25, lower is better.
    public func searchArticles(_ query: String, language: String?, limit: Int) async throws -> [ArticleHit] {
        let words = query.split { !$0.isLetter && !$0.isNumber }.map { $0.lowercased() }
        guard !words.isEmpty, limit > 0 else { return [] }
        let tsquery = words.map { "'" + $0.replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "\\", with: "\\\\") + "':*" }
            .joined(separator: " & ")
        let rows = try await client.query("""
            SELECT connector, id, title, language, url_name,
                   ts_headline('\(unescaped: PostgresSchema.textSearch)', title || ' ' || coalesce(summary, '') || ' ' || body_text, q,
                               'StartSel=[, StopSel=], MaxWords=14, MinWords=6, ShortWord=1, MaxFragments=1, FragmentDelimiter=…'),
                   score
            FROM (SELECT a.*, q, ts_rank('{0.1, 0.0, 0.4, 1.0}', search, q) AS score
                  FROM articles a, to_tsquery('\(unescaped: PostgresSchema.textSearch)', \(tsquery)) q
                  WHERE search @@ q AND (\(language)::text IS NULL OR language = \(language))
                  ORDER BY score DESC, rowid LIMIT \(limit)) best
            ORDER BY score DESC, rowid
            """, logger: logger)
        var hits: [ArticleHit] = []
        for try await (connector, id, title, language, urlName, snippet, score) in rows.decode((String, String, String, String, String?, String, Float).self) {
            hits.append(ArticleHit(connector: connector, id: id, title: title, language: language, urlName: urlName, snippet: snippet, rank: -Double(score)))
        }
        return hits
    }
}
