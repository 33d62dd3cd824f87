import ConnectorKit
import Foundation

extension SalesforceREST {
    /// One page of a query.
    public struct QueryPage: Sendable {
        /// Rows matched by the whole query.
        public var totalSize: Int
        /// The records of this page (each a JSON object, `attributes` included).
        public var records: [JSONValue]
        /// Where the next page is, when there is one.
        public var nextRecordsURL: String?
    }

    /// One page of a query, its records read into rows.
    public struct QueryRows<Row: Sendable>: Sendable {
        /// Rows matched by the whole query.
        public var totalSize: Int
        /// The rows `row` made of this page's records (records it returned nil for are left out).
        public var rows: [Row]
        /// Where the next page is, when there is one.
        public var nextRecordsURL: String?
    }

    /// Pages read ahead of the one `page` works on, unless a query asks for more.
    public static let defaultPagesAhead = 2

    /// Runs a query and hands each page to `page` in order, reading ahead as
    /// ``query(_:includeDeleted:batchSize:row:page:)`` does.
    public func query(_ soql: String, includeDeleted: Bool = false, batchSize: Int? = nil,
                      page: (QueryPage) async throws -> Void) async throws {
        try await query(soql, includeDeleted: includeDeleted, batchSize: batchSize,
                        row: { (reader) throws(JSONParser.Failure) in try reader.readValue() }) { rows in
            try await page(QueryPage(totalSize: rows.totalSize, records: rows.rows, nextRecordsURL: rows.nextRecordsURL))
        }
    }

    /// Every record of a query, all pages.
    public func queryAll(_ soql: String, includeDeleted: Bool = false) async throws -> [JSONValue] {
        var all: [JSONValue] = []
        try await query(soql, includeDeleted: includeDeleted) { all += $0.records }
        return all
    }

    /// Runs a query, reading each record straight from the answer's bytes with `row` (no JSON
    /// tree per record; `row` is given the reader at the record's object, and what it leaves
    /// unread is skipped), and hands the pages to `page` in order.
    ///
    /// The pages are read ahead in a child task, so the network, the reading and `page` (a commit)
    /// overlap: as soon as a page's answer arrives, the request for the next one goes out, and the
    /// page is read while the server works on the next. At most `pagesAhead` read pages wait
    /// for `page`, plus the one being read and the answer in flight; a consumer that gathers
    /// several pages before it works on them asks for that many, so the reading goes on while it
    /// works. An error from either side ends the query and is thrown here.
    public func query<Row: Sendable>(_ soql: String, includeDeleted: Bool = false, batchSize: Int? = nil,
                                     pagesAhead: Int = defaultPagesAhead,
                                     row: @escaping @Sendable (inout JSONReader) throws(JSONParser.Failure) -> Row?,
                                     page: (QueryRows<Row>) async throws -> Void) async throws {
        let q = PercentEncoding.encode(soql)
        let first = "\(basePath)/\(includeDeleted ? "queryAll" : "query")?q=\(q)"
        let headers = batchSize.map { [("Sforce-Query-Options", "batchSize=\($0)")] } ?? []
        let (pages, pageOut) = AsyncThrowingStream<QueryRows<Row>, any Error>.makeStream()
        // One credit per page the reader may hold ready; `page` returns one as it takes a page.
        let (credits, creditIn) = AsyncStream<Void>.makeStream()
        for _ in 0..<max(1, pagesAhead) { creditIn.yield() }
        defer { creditIn.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    var credit = credits.makeAsyncIterator()
                    var answer = try await send("GET", first, headers: headers)
                    while true {
                        guard await credit.next() != nil else { break }  // the consumer has stopped
                        let next = try Self.nextRecordsPath(of: answer)
                        async let following = fetch(next, headers: headers)
                        pageOut.yield(try Self.rows(of: answer, row: row))
                        guard let nextAnswer = try await following else { break }
                        answer = nextAnswer
                    }
                    pageOut.finish()
                } catch {
                    pageOut.finish(throwing: error)
                }
            }
            for try await rows in pages {
                try await page(rows)
                creditIn.yield()
            }
        }
    }

    /// The answer for `path`; nil for no path.
    private func fetch(_ path: String?, headers: [(String, String)]) async throws -> HTTPTransport.Response? {
        guard let path else { return nil }
        return try await send("GET", path, headers: headers)
    }

    /// The path of the page after a query answer's, nil when the answer is `done`. Reads the
    /// answer's top level only (the records are skipped).
    static func nextRecordsPath(of response: HTTPTransport.Response) throws -> String? {
        try read(response) { (reader, name) throws(JSONParser.Failure) in
            if name == "records" { try reader.skipValue() }
        }.next
    }

    /// A query answer's page, and the next page's path unless the answer is `done`.
    static func rows<Row>(of response: HTTPTransport.Response, row: (inout JSONReader) throws(JSONParser.Failure) -> Row?) throws -> QueryRows<Row> {
        var records: [Row]?
        let top = try read(response) { (reader, name) throws(JSONParser.Failure) in
            guard name == "records", reader.peek() == .array else { return }
            var rows: [Row] = []
            try reader.readArray { (reader) throws(JSONParser.Failure) in
                if let made = try row(&reader) { rows.append(made) }
            }
            records = rows
        }
        guard let records else {
            throw SalesforceAPIError(status: response.status, errorCode: "UNEXPECTED_RESPONSE", message: "a query answer without records")
        }
        return QueryRows(totalSize: top.totalSize, rows: records, nextRecordsURL: top.nextURL)
    }

    /// Reads a query answer's `totalSize`, `done` and `nextRecordsUrl`, handing every other member
    /// to `other`.
    private static func read(_ response: HTTPTransport.Response,
                             other: (inout JSONReader, JSONKey) throws(JSONParser.Failure) -> Void) throws
        -> (totalSize: Int, nextURL: String?, next: String?) {
        var totalSize = 0
        var nextURL: String?
        var done = false
        do {
            try JSONReader.read(response.body) { (reader) throws(JSONParser.Failure) in
                try reader.readObject { (name, reader) throws(JSONParser.Failure) in
                    if name == "totalSize", case .integer(let total) = try reader.readValue() {
                        totalSize = Int(total)
                    } else if name == "done" {
                        done = try reader.readValue() == .bool(true)
                    } else if name == "nextRecordsUrl", reader.peek() == .string {
                        nextURL = try reader.readString()
                    } else {
                        try other(&reader, name)
                    }
                }
            }
        } catch {
            throw SalesforceAPIError(status: response.status, errorCode: "UNEXPECTED_RESPONSE", message: "the answer is not JSON (\(error))")
        }
        return (totalSize, nextURL, done ? nil : nextURL)
    }
}
