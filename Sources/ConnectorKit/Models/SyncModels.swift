import Foundation

/// A person the assistant serves, mirrored from the external system (a Salesforce Contact).
public struct UserRecord: Sendable, Hashable, Codable {
    /// The external system's id.
    public var id: String
    /// Email, the key the assistant looks people up by.
    public var email: String?
    /// Given name.
    public var firstName: String?
    /// Family name.
    public var lastName: String?
    /// Other configured fields, by field name.
    public var fields: [String: String]
    /// When the record last changed upstream (SystemModstamp).
    public var modifiedAt: Date

    /// Creates a record.
    public init(
        id: String, email: String?, firstName: String?, lastName: String?, fields: [String: String] = [:],
        modifiedAt: Date
    ) {
        self.id = id
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.fields = fields
        self.modifiedAt = modifiedAt
    }
}

/// A published knowledge article (a Salesforce Knowledge__kav version).
public struct KnowledgeArticle: Sendable, Hashable, Codable {
    /// The stable key: the article (not the version) and its language, so a newly published
    /// version replaces the previous one.
    public var id: String
    /// The id of the published version this record was read from.
    public var versionId: String?
    /// The article number, stable across versions.
    public var articleNumber: String?
    /// Title.
    public var title: String
    /// Summary.
    public var summary: String?
    /// The URL name.
    public var urlName: String?
    /// Language code (`en_US`).
    public var language: String
    /// The configured rich-text body fields as HTML, by field name.
    public var bodyHTML: [String: String]
    /// All body fields as clean text, for search and for the assistant.
    public var bodyText: String
    /// When the version last changed upstream.
    public var modifiedAt: Date

    /// Creates an article.
    public init(
        id: String, versionId: String? = nil, articleNumber: String?, title: String, summary: String?, urlName: String?, language: String,
        bodyHTML: [String: String], bodyText: String, modifiedAt: Date
    ) {
        self.id = id
        self.versionId = versionId
        self.articleNumber = articleNumber
        self.title = title
        self.summary = summary
        self.urlName = urlName
        self.language = language
        self.bodyHTML = bodyHTML
        self.bodyText = bodyText
        self.modifiedAt = modifiedAt
    }
}

/// How much a sync reads.
public enum SyncMode: String, Sendable, Hashable, Codable {
    /// Only what changed since the last checkpoint.
    case incremental
    /// Everything, removing what vanished upstream.
    case full
}

/// Where a sync is, for progress bars and logs.
public struct SyncProgress: Sendable, Hashable {
    /// Records written so far.
    public var records: Int
    /// Pages read so far.
    public var pages: Int
    /// Total records expected, when the system says (`totalSize`).
    public var expectedTotal: Int?

    /// Creates a progress value.
    public init(records: Int, pages: Int, expectedTotal: Int?) {
        self.records = records
        self.pages = pages
        self.expectedTotal = expectedTotal
    }
}

/// What a finished sync did.
public struct SyncReport: Sendable, Hashable, Codable {
    /// Records inserted or updated that changed after the stored cursor (all of them in a full run).
    public var upserted: Int
    /// Stored records removed (not deletions read: an id that was never stored counts for nothing).
    public var deleted: Int
    /// Pages read.
    public var pages: Int
    /// Records read again from the overlap behind the stored cursor and written again (idempotent):
    /// unchanged rows, or rows whose change committed after the cursor was taken.
    public var reread: Int
    /// Whether the run went on from where an interrupted one stopped.
    public var resumed: Bool

    /// Creates a report.
    public init(upserted: Int, deleted: Int, pages: Int, reread: Int = 0, resumed: Bool = false) {
        self.upserted = upserted
        self.deleted = deleted
        self.pages = pages
        self.reread = reread
        self.resumed = resumed
    }
}
