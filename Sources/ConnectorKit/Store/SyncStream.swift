/// Where a sync's records and cursor go. Records live in the host's two record stores, ``users`` and
/// ``articles``; a stream may be a sub-stream of one with a cursor of its own (`users-deleted`,
/// `articles-en_US`), or hold a cursor only (`cases-watch`), in which case a batch naming it carries
/// no records.
public struct SyncStream: Sendable, Hashable, CustomStringConvertible {
    /// The record store a stream writes to.
    public enum Records: String, Sendable, Hashable, CaseIterable {
        /// People (``UserRecord``).
        case users
        /// Knowledge articles (``KnowledgeArticle``).
        case articles
    }

    /// The stream's name, as checkpoints are stored under it.
    public let name: String
    /// The record store it writes to; nil for a cursor-only stream.
    public let records: Records?

    private init(name: String, records: Records?) {
        self.name = name
        self.records = records
    }

    /// The users stream.
    public static let users = SyncStream(name: "users", records: .users)
    /// The articles stream.
    public static let articles = SyncStream(name: "articles", records: .articles)

    /// A sub-stream of this record stream with a cursor of its own: `SyncStream.users.sub("deleted")`
    /// is `users-deleted`, writing to the users store.
    public func sub(_ suffix: String) -> SyncStream { SyncStream(name: "\(name)-\(suffix)", records: records) }

    /// A stream that keeps only a cursor (a watcher's position): no records go with it.
    public static func cursor(_ name: String) -> SyncStream { SyncStream(name: name, records: nil) }

    /// The stream a stored name denotes (`users-full` → a users sub-stream; anything else cursor-only).
    public init(storedName name: String) {
        self.name = name
        records = Records.allCases.first { name == $0.rawValue || name.hasPrefix($0.rawValue + "-") }
    }

    public var description: String { name }
}

/// A batch or reconciliation that gave records to a stream that keeps only a cursor.
public struct SyncStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stream.
    public let stream: SyncStream

    /// The error for a cursor-only stream.
    public static func cursorOnly(_ stream: SyncStream) -> SyncStreamError { SyncStreamError(stream: stream) }

    public var description: String {
        "stream \(stream) keeps only a cursor; records go to SyncStream.users or .articles (or a sub-stream of one)"
    }
}
