import ConnectorKit
import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
@testable import SwitchboardHost
import Testing

/// Knowledge search from pre-ranked lists gives exactly FTS5's ranking of every match, on a real
/// SQLite file with generated prose (small tuning, so a few hundred articles make words frequent).
@Suite("Knowledge search: pre-ranked lists, threshold proof, generations, warmer")
struct KnowledgeSearchListTests {
    let directory = NSTemporaryDirectory() + "switchboard-search-" + UUID().uuidString
    var path: String { directory + "/state.db" }

    static let tuning: KnowledgeSearchTuning = {
        var tuning = KnowledgeSearchTuning()
        tuning.frequentAbove = 40
        tuning.depth = 60
        return tuning
    }()

    /// Zipf-like prose from a fixed seed: a few words in most articles, most words rare, lengths varied.
    static func corpus(count: Int) -> [KnowledgeArticle] {
        let words = ["the", "to", "and", "restart", "vpn", "printer", "password", "reset", "laptop", "battery", "network", "driver",
                     "certificate", "badge", "cable", "monitor", "account", "email", "update", "install", "printers", "resetting", "passwords"]
            + (0..<200).map { "w\($0)x" }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        func word() -> String {
            // Rank r drawn with probability ~ 1/(r+1): the square of a uniform favours low ranks.
            let u = Double(next() % 10_000) / 10_000
            return words[min(words.count - 1, Int(u * u * u * Double(words.count)))]
        }
        return (0..<count).map { n in
            let title = (0..<(2 + Int(next() % 4))).map { _ in word() }.joined(separator: " ")
            let body = (0..<(20 + Int(next() % 120))).map { _ in word() }.joined(separator: " ") + (n % 100 == 7 ? " nonesuch" : "")
            return KnowledgeArticle(id: "ka\(n)", articleNumber: "\(n)", title: title, summary: n % 3 == 0 ? word() : "",
                                    urlName: "a\(n)", language: n % 8 == 0 ? "fr" : "en_US", bodyHTML: ["Body__c": body], bodyText: body,
                                    modifiedAt: Date(timeIntervalSince1970: 1_767_225_600 + Double(n)))
        }
    }

    static let queries = ["the", "restart", "vpn", "printer", "password reset", "printer driver", "laptop battery", "the to",
                          "restart vpn the", "vpn vpn", "w3x", "nonesuch", "restart nonesuch", "cable badge"]

    func seededStore() async throws -> SQLiteStore {
        let store = try SQLiteStore(path: path, searchTuning: Self.tuning)
        try await store.commit(RecordBatch(connector: "sf", stream: .articles, upserts: Self.corpus(count: 700).map { .article($0) }, checkpoint: nil))
        return store
    }

    @Test func listsGiveExactlyTheRankingOfEveryMatch() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await seededStore()
        var expected: [String: [ArticleHit]] = [:]
        let cases = Self.queries.flatMap { query in [nil, "en_US"].flatMap { language in [10, 3].map { (query, language, $0) } } }
        for (query, language, limit) in cases {
            let (hits, path) = try await store.searchArticlesExplained(query, language: language, limit: limit)
            #expect(path == .rankedEveryMatch, "no lists yet: \(query)")
            expected["\(query)|\(language ?? "")|\(limit)"] = hits
        }
        let refresh = try await store.refreshSearchLists()
        #expect(refresh.built >= 10 && refresh.infrequent >= 2, "\(refresh)")
        var paths: Set<KnowledgeSearchPath> = []
        for (query, language, limit) in cases {
            let (hits, path) = try await store.searchArticlesExplained(query, language: language, limit: limit)
            paths.insert(path)
            let before = expected["\(query)|\(language ?? "")|\(limit)"] ?? []
            #expect(hits.map(\.id) == before.map(\.id), "\(query) [\(language ?? "any")] top \(limit) by \(path)")
            #expect(hits.map(\.snippet) == before.map(\.snippet))
            #expect(zip(hits, before).allSatisfy { abs($0.rank - $1.rank) <= 1e-9 * abs($1.rank) })
        }
        #expect(paths.contains(.list) && (paths.contains(.threshold) || paths.contains(.lists)), "\(paths)")
        let onlyWords = try await store.pool.read { db in
            try ["vpn", "printer", "print", "passwords", "nonesuch", "zzz"].filter { try SQLiteStore.isOnlyWord(db, $0) }
        }
        #expect(onlyWords == ["vpn", "passwords", "nonesuch"], "printer begins printers, print begins both; zzz is not a word")
        #expect(try await store.searchArticlesExplained("nonesuch", limit: 10).path == .rankedEveryMatch, "a rare word ranks every match")
        #expect(try await store.searchArticlesExplained("restart nonesuch", limit: 10).path == .rankedEveryMatch)
        #expect(try await store.searchArticlesExplained("the", limit: 10).path == .list)
        #expect(try await store.searchArticlesExplained("the", limit: 100).path == .rankedEveryMatch, "deeper than the probe: every match")
    }

    /// The proof from the lists alone, on lists made by hand (rowid, rank; ranks negative, better lower).
    @Test func theListsAloneProveATopOnlyWhenNothingElseCanReachIt() {
        func list(_ pairs: [(Int64, Double)]) -> [SearchList.Entry] { pairs.map { SearchList.Entry(rowid: $0.0, rank: $0.1) } }
        // 1 and 2 are in both lists; 3 only in the first: it could reach -5 + -1 = -6, above 2's -5.5.
        let a = list([(1, -5), (3, -5), (2, -3), (4, -1)])
        let b = list([(1, -3), (2, -2.5), (5, -2), (6, -1)])
        #expect(ListRanking.rank(lists: [a, b], limit: 1, depth: 4) == .ranked(list([(1, -8)])))
        guard case .score(let candidates, let threshold, let complete) = ListRanking.rank(lists: [a, b], limit: 2, depth: 4) else {
            Issue.record("3 might outrank 2: not provable from the lists")
            return
        }
        #expect(candidates == [1, 2, 3, 4, 5, 6] && threshold == -2 && !complete)
        // A list shorter than the depth holds every article of its word: FTS5 must score, then it is proven.
        guard case .score(_, _, true) = ListRanking.rank(lists: [a, Array(b.prefix(3))], limit: 1, depth: 4) else {
            Issue.record("a complete list is scored")
            return
        }
        // One word: its list is the answer; ties keep the list's (FTS5's) order.
        #expect(ListRanking.rank(lists: [a], limit: 2, depth: 4) == .ranked(Array(a.prefix(2))))
        // A word twice counts twice, as in bm25.
        #expect(ListRanking.rank(lists: [b, b], limit: 1, depth: 4) == .ranked(list([(1, -6)])))
    }

    @Test func aChangedArticleRetiresTheListsUntilTheyAreRebuilt() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await seededStore()
        _ = try await store.searchArticles("restart")
        try await store.refreshSearchLists()
        #expect(try await store.searchArticlesExplained("restart").path == .list)
        // A short article all about restarting now ranks first: the old list must not hide it.
        let best = KnowledgeArticle(id: "ka-new", articleNumber: "9", title: "restart restart", summary: "restart", urlName: "new",
                                    language: "en_US", bodyHTML: [:], bodyText: "restart the restart", modifiedAt: Date())
        try await store.commit(RecordBatch(connector: "sf", stream: .articles, upserts: [.article(best)], checkpoint: nil))
        let (stale, stalePath) = try await store.searchArticlesExplained("restart")
        #expect(stalePath == .rankedEveryMatch && stale.first?.id == "ka-new")
        try await store.refreshSearchLists()
        let (fresh, freshPath) = try await store.searchArticlesExplained("restart")
        #expect(freshPath == .list && fresh.map(\.id) == stale.map(\.id))
        // A deletion retires them too.
        try await store.commit(RecordBatch(connector: "sf", stream: .articles, upserts: [], deletions: ["ka-new"], checkpoint: nil))
        let (afterDelete, deletePath) = try await store.searchArticlesExplained("restart")
        #expect(deletePath == .rankedEveryMatch && !afterDelete.contains { $0.id == "ka-new" })
    }

    @Test func listsSurviveReopeningTheStore() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try await seededStore()
            _ = try await store.searchArticles("printer")
            try await store.refreshSearchLists()
        }
        let reopened = try SQLiteStore(path: path, searchTuning: Self.tuning)
        #expect(try await reopened.searchArticlesExplained("printer").path == .list)
    }

    @Test func theWarmerBuildsWhatSearchesAskForAndStopsOnShutdown() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await seededStore()
        #expect(try await store.searchArticlesExplained("vpn").path == .rankedEveryMatch)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await SearchListWarmer(store: store, logger: Logger(label: "test"), quiet: .milliseconds(20)).run() }
                let deadline = ContinuousClock.now + .seconds(20)
                var path = KnowledgeSearchPath.rankedEveryMatch
                while path != .list, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                    path = try await store.searchArticlesExplained("vpn").path
                }
                #expect(path == .list, "the warmer built the list the search asked for")
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }
}
