import Foundation
@testable import SalesforceSandbox
import Testing

/// Generated article bodies: sized as asked, deterministic, shaped like language.
@Suite("Seeded article prose")
struct ArticleProseTests {
    /// The words of a body with its markup and entities removed.
    static func words(of html: String) -> [String] {
        let text = html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "&amp;", with: " ")
        return text.lowercased().split { !$0.isLetter }.map(String.init)
    }

    @Test func bodiesHaveTheWordsAskedForAndRepeat() {
        let body = ArticleProse.body(topic: "VPN", words: 400, seed: 9)
        #expect(Self.words(of: body).count == 401, "the heading's word and 400 more")
        #expect(body == ArticleProse.body(topic: "VPN", words: 400, seed: 9))
        #expect(body != ArticleProse.body(topic: "VPN", words: 400, seed: 10))
        #expect(body.hasPrefix("<h2>VPN</h2>") && body.contains("<p>"))
        #expect(Set(ArticleProse.vocabulary).count == ArticleProse.vocabulary.count, "no word twice")
    }

    /// Word frequency falls with rank: the commonest word is in every body, a mid-ranked term in
    /// some, and most of the invented long tail in few.
    @Test func frequenciesFollowRank() {
        let bodies = (0..<200).map { Set(Self.words(of: ArticleProse.body(topic: "Laptop", words: 300, seed: UInt64($0)))) }
        func share(_ word: String) -> Double { Double(bodies.filter { $0.contains(word) }.count) / Double(bodies.count) }
        #expect(share("the") == 1)
        let term = ArticleProse.vocabulary[40]
        #expect(share(term) > 0.2 && share(term) < 0.95, "\(term): \(share(term))")
        let tail = ArticleProse.vocabulary.suffix(2000)
        let rare = tail.filter { share($0) < 0.1 }.count
        #expect(Double(rare) / Double(tail.count) > 0.9)
    }

    /// `articles(online:)` seeds exactly enough articles for that many published en_US versions.
    @Test func seedingForAPublishedCount() {
        func published(_ articles: Int) -> Int {
            SeedData(seed: 1, contacts: 0, cases: 0, articles: articles, articleWords: 20).generate().filter {
                $0.object == "Knowledge__kav" && $0["PublishStatus"] == .string("Online") && $0["Language"] == .string("en_US")
            }.count
        }
        for online in [1, 6, 7, 100, 771] {
            let total = SeedData.articles(online: online)
            #expect(published(total) == online)
            #expect(published(total - 1) == online - 1, "no more articles than needed")
        }
    }
}
