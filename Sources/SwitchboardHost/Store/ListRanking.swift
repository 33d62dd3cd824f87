/// The top of a search from its words' pre-ranked lists alone, when the lists prove it.
///
/// bm25 is a sum over the query's words, and each list holds its word's own bm25 (FTS5's, same
/// idf and document lengths as in the whole query) for its best articles. An article in every
/// list has its exact score there. An article missing from a list scores at most that list's last
/// score for the word, so its best possible score is bounded, as is that of an article in no list
/// (the sum of the lists' last scores: the threshold algorithm). When the k-th exact score beats
/// every bound, the top k is FTS5's. Ranks are FTS5's: negative, better lower; ties go to the
/// lower rowid, as in FTS5's own order.
enum ListRanking {
    /// What the lists can say about a query.
    enum Outcome: Equatable {
        /// The top, proven.
        case ranked([SearchList.Entry])
        /// Not proven: score these candidates with FTS5; their top stands when its last rank is
        /// below `threshold`, or at once when `complete` (one list holds every article of its word).
        case score(candidates: Set<Int64>, threshold: Double, complete: Bool)
    }

    /// `lists[i]` is the list of the query's i-th word (a word twice in the query counts twice, as in bm25).
    static func rank(lists: [[SearchList.Entry]], limit: Int, depth: Int) -> Outcome {
        if lists.count == 1, lists[0].count >= limit || lists[0].count < depth {
            return .ranked(Array(lists[0].prefix(limit)))
        }
        // Per article: the sum of its known ranks and which lists (bits) it is in.
        var known: [Int64: (rank: Double, lists: UInt64)] = [:]
        for (index, list) in lists.enumerated() {
            for entry in list {
                let value = known[entry.rowid, default: (0, 0)]
                known[entry.rowid] = (value.rank + entry.rank, value.lists | 1 << UInt64(index))
            }
        }
        let lasts = lists.map { $0.last?.rank ?? 0 }
        let threshold = lasts.reduce(0, +)
        let complete = lists.contains { $0.count < depth }
        let scoring = Outcome.score(candidates: Set(known.keys), threshold: threshold, complete: complete)
        guard !complete, lists.count <= 64 else { return scoring }
        // In every list: exact. Elsewhere: the best rank it could reach (its list's last where it is missing).
        let all: UInt64 = lists.count == 64 ? .max : (1 << UInt64(lists.count)) - 1
        var exact: [SearchList.Entry] = []
        var bestPossible = threshold
        for (rowid, value) in known {
            if value.lists == all {
                exact.append(SearchList.Entry(rowid: rowid, rank: value.rank))
            } else {
                var rank = value.rank
                for index in lasts.indices where value.lists & (1 << UInt64(index)) == 0 { rank += lasts[index] }
                bestPossible = min(bestPossible, rank)
            }
        }
        guard exact.count >= limit else { return scoring }
        exact.sort { ($0.rank, $0.rowid) < ($1.rank, $1.rowid) }
        let top = Array(exact.prefix(limit))
        return top[limit - 1].rank < bestPossible ? .ranked(top) : scoring
    }
}
