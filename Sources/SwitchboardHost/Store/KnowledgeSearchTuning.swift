/// When knowledge search ranks every matching article and when it starts from a word's
/// pre-ranked list (``SQLiteStore/refreshSearchLists()``), and how big those lists are.
///
/// FTS5 ranks every article a query matches before it can return the best ten: a word found in
/// most articles costs a full ranking of most of the index. A *frequent* word (matching more
/// articles than ``frequentAbove``) gets a list of its ``depth`` best articles, built once per
/// change of the articles and ranked by the search's own bm25. A search whose every word has a
/// current list scores only the lists' articles and proves the answer exact (the threshold
/// algorithm: no unlisted article can score above the sum of the lists' last scores), else it
/// ranks every match as before. The results are FTS5's ranking either way.
public struct KnowledgeSearchTuning: Sendable, Hashable {
    /// A word matching more articles than this gets a pre-ranked list; below it, ranking every
    /// match costs less than a few milliseconds.
    public var frequentAbove: Int = 4000
    /// The articles kept per list.
    public var depth: Int = 1000
    /// The lists rebuilt per refresh at most (most used first).
    public var refreshBatch: Int = 256
    /// The lists kept at most (the least used go first).
    public var maxLists: Int = 4096

    /// The defaults.
    public init() {}
}

/// How one knowledge search found its results.
public enum KnowledgeSearchPath: Sendable, Hashable {
    /// FTS5 ranked every matching article.
    case rankedEveryMatch
    /// A single frequent word: its pre-ranked list is the answer.
    case list
    /// Several frequent words: the lists alone proved the top (the articles in every list outrank
    /// every bound).
    case lists
    /// Several frequent words: FTS5 scored the lists' articles, and the threshold proved the top.
    case threshold
}

/// What a refresh of the search lists did.
public struct SearchListRefresh: Sendable, Hashable {
    /// Lists built for frequent words.
    public var built: Int = 0
    /// Words found not frequent (searched by ranking every match; remembered so they are not counted again).
    public var infrequent: Int = 0
    /// Words still waiting for a list (more than one refresh's batch).
    public var remaining: Int = 0
}
