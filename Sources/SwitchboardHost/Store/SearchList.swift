import Foundation
import GRDB

/// One word's pre-ranked list: the articles FTS5 ranks best for the word alone (in one language,
/// or all), as of one generation of the articles. Stored in `search_lists`.
struct SearchList: Sendable, Hashable {
    /// An article (FTS5 rowid) and its bm25 rank for the word alone (negative, better lower).
    struct Entry: Sendable, Hashable {
        var rowid: Int64
        var rank: Double
    }

    /// The generation of the articles it was built at.
    var generation: Int64
    /// How many articles (every language) the word matched.
    var matching: Int
    /// The index knows no other word that begins with this one: the exact word finds what the
    /// prefix finds, with the same bm25, without merging the doclists of every word it begins.
    var onlyWord: Bool
    /// The best articles, best first; nil for a word not frequent enough to need a list.
    var entries: [Entry]?

    /// The list under `key` if it was built at `generation`.
    static func fetch(_ db: Database, key: SearchListState.Key, generation: Int64) throws -> SearchList? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT matching, only_word, entries FROM search_lists WHERE token = ? AND language = ? AND generation = ?
            """, arguments: [key.token, key.language, generation]) else { return nil }
        let blob: Data? = row["entries"]
        return SearchList(generation: generation, matching: row["matching"], onlyWord: row["only_word"], entries: blob.map(decode))
    }

    /// Entries as 16 bytes each: rowid and rank, little-endian.
    static func encode(_ entries: [Entry]) -> Data {
        var data = Data(capacity: entries.count * 16)
        for entry in entries {
            withUnsafeBytes(of: entry.rowid.littleEndian) { data.append(contentsOf: $0) }
            withUnsafeBytes(of: entry.rank.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// The entries ``encode(_:)`` wrote (a trailing partial entry is ignored).
    static func decode(_ data: Data) -> [Entry] {
        data.withUnsafeBytes { raw in
            (0..<raw.count / 16).map { index in
                let rowid = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 16, as: Int64.self))
                let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 16 + 8, as: UInt64.self))
                return Entry(rowid: rowid, rank: Double(bitPattern: bits))
            }
        }
    }
}
