import ConnectorKit
import Foundation

/// Knowledge load: published (`Online`) Knowledge__kav versions per configured language into the
/// host's articles table and its full-text index. Records are keyed by article and language, so a
/// newly published version replaces the old one; incremental runs read versions changed after the
/// cursor, and every run removes articles no longer online (archived, unpublished) by comparing
/// with the current list of online articles.
public struct KnowledgeSync: Sendable {
    /// What to read.
    public struct Settings: Sendable, Hashable {
        /// The article version object (`Knowledge__kav`, or a Classic `Type__kav`).
        public var object: String
        /// Languages to load (`en_US`).
        public var languages: [String]
        /// Rich-text fields holding the body (HTML).
        public var bodyFields: [String]
        /// Rows per page.
        public var batchSize: Int
        /// How far behind the cursor an incremental run reads again (see ``SyncCursor``).
        public var overlap: Duration

        /// Creates settings; the configurable ones come from the `knowledge` section (see
        /// ``init(section:)`` and ``defaults``).
        public init(object: String, languages: [String], bodyFields: [String], batchSize: Int,
                    overlap: Duration = SyncCursor.defaultOverlap) {
            self.object = object
            self.languages = languages
            self.bodyFields = bodyFields
            self.batchSize = batchSize
            self.overlap = overlap
        }

        /// Decodes the `knowledge` section of validated settings.
        public init(section settings: SettingsObject) throws(ConnectorError) {
            self.init(object: try settings.requiredText("knowledge.object"), languages: try settings.requiredStrings("knowledge.languages"),
                      bodyFields: try settings.requiredStrings("knowledge.body_fields"), batchSize: try settings.requiredInteger("knowledge.batch_size"))
        }

        /// The schema's defaults.
        public static var defaults: Settings { try! Settings(section: SalesforceModule().settings.defaults) }
    }

    static let stream = SyncStream.articles

    let rest: SalesforceREST
    let sink: any RecordSink
    let store: ScopedStateStore
    let settings: Settings

    /// Creates a sync.
    public init(rest: SalesforceREST, sink: any RecordSink, store: ScopedStateStore, settings: Settings) {
        self.rest = rest
        self.sink = sink
        self.store = store
        self.settings = settings
    }

    func soql(language: String, after cursor: SyncCursor?) -> String {
        let fields = ["Id", "KnowledgeArticleId", "ArticleNumber", "Title", "UrlName", "Summary", "Language", "SystemModstamp"]
            + settings.bodyFields
        let after = cursor.map { " AND \($0.soqlCondition(overlap: settings.overlap))" } ?? ""
        return "SELECT \(fields.joined(separator: ", ")) FROM \(settings.object) WHERE PublishStatus = 'Online' AND Language = "
            + "\(SOQLText.quote(language))\(after) ORDER BY SystemModstamp, Id"
    }

    /// Runs one sync over every configured language.
    public func run(mode: SyncMode, progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        var report = SyncReport(upserted: 0, deleted: 0, pages: 0)
        var online = Set<String>()
        for language in settings.languages {
            let stream = Self.stream.sub(language)
            let stored = try await store.checkpoint(stream: stream).flatMap { SyncCursor($0.cursor) }
            let cursor = mode == .full ? nil : stored
            try await rest.query(soql(language: language, after: cursor), batchSize: settings.batchSize) { page in
                var articles: [SyncRecord] = []
                var last: SyncCursor?
                for record in page.records {
                    guard let article = article(from: record) else { continue }
                    articles.append(.article(article))
                    if let versionID = article.versionId {
                        last = SyncCursor(modstamp: article.modifiedAt, id: versionID)
                        if let cursor, cursor.covers(modstamp: article.modifiedAt, id: versionID) { report.reread += 1 }
                    }
                }
                let checkpoint = last.map { last in stored.map { max(last, $0) } ?? last }
                // The articles table, with the language's cursor, in one transaction.
                try await sink.commit(RecordBatch(connector: store.connector, stream: stream, upserts: articles, checkpoint: checkpoint?.description))
                report.upserted += articles.count
                report.pages += 1
                progress(SyncProgress(records: report.upserted, pages: report.pages, expectedTotal: nil))
                try SyncInterrupted.checkShutdown()
            }
            // What is online now, to remove what left (archived, unpublished, deleted).
            try await rest.query("SELECT KnowledgeArticleId FROM \(settings.object) WHERE PublishStatus = 'Online' AND Language = \(SOQLText.quote(language))") { page in
                for record in page.records {
                    if let id = record["KnowledgeArticleId"]?.stringValue { online.insert(Self.key(articleID: id, language: language)) }
                }
            }
        }
        report.upserted -= report.reread
        report.deleted = try await sink.reconcile(connector: store.connector, stream: Self.stream, keeping: online)
        return report
    }

    static func key(articleID: String, language: String) -> String { "\(articleID):\(language)" }

    func article(from record: JSONValue) -> KnowledgeArticle? {
        guard let versionID = record["Id"]?.stringValue, let articleID = record["KnowledgeArticleId"]?.stringValue,
              let language = record["Language"]?.stringValue,
              let stamp = record["SystemModstamp"]?.stringValue.flatMap(SalesforceDateTime.parse) else { return nil }
        var html: [String: String] = [:]
        var text: [String] = []
        for field in settings.bodyFields {
            guard let value = record[field]?.stringValue, !value.isEmpty else { continue }
            html[field] = value
            text.append(HTMLText.plainText(value))
        }
        return KnowledgeArticle(id: Self.key(articleID: articleID, language: language), versionId: versionID,
                                articleNumber: record["ArticleNumber"]?.stringValue, title: record["Title"]?.stringValue ?? "",
                                summary: record["Summary"]?.stringValue, urlName: record["UrlName"]?.stringValue, language: language,
                                bodyHTML: html, bodyText: text.joined(separator: "\n\n"), modifiedAt: stamp)
    }
}
