import ConnectorKit

/// Users read but not yet committed, with the pages they came in.
struct PendingUsers {
    /// The checkpoint stored before the run; a full run's cursor never moves backwards past it.
    let stored: SyncCursor?
    private var users: [SyncRecord] = []
    private var last: SyncCursor?
    private var pages = 0

    init(stored: SyncCursor?) {
        self.stored = stored
    }

    var isEmpty: Bool { pages == 0 }
    var count: Int { users.count }

    /// Adds a page's users (read in cursor order).
    mutating func add(_ page: [UserRecord]) {
        users.reserveCapacity(users.count + page.count)
        for user in page { users.append(.user(user)) }
        if let user = page.last { last = SyncCursor(modstamp: user.modifiedAt, id: user.id) }
        pages += 1
    }

    /// The batch to commit — the users and the cursor after them — leaving nothing pending; nil when
    /// no page came since the last take.
    mutating func take(connector: String) -> (records: RecordBatch, pages: Int, last: SyncCursor?)? {
        guard pages > 0 else { return nil }
        // The cursor moves only with the records it covers.
        let checkpoint = last.map { last in stored.map { max(last, $0) } ?? last }
        let batch = RecordBatch(connector: connector, stream: ContactSync.stream, upserts: users, checkpoint: checkpoint?.description)
        defer {
            users = []
            last = nil
            pages = 0
        }
        return (batch, pages, last)
    }
}
