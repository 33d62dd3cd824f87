import ConnectorKit
import Foundation

/// The Salesforce REST API over the host's shared transport, authenticated by the JWT bearer flow:
/// queries with `nextRecordsUrl` paging, sObject create / update / get. Non-2xx answers become
/// ``SalesforceAPIError``s; a 401 re-authenticates once (the transport's rule).
public struct SalesforceREST: Sendable {
    /// One page of a query.
    public struct QueryPage: Sendable {
        /// Rows matched by the whole query.
        public var totalSize: Int
        /// The records of this page (each a JSON object, `attributes` included).
        public var records: [JSONValue]
        /// Where the next page is, when there is one.
        public var nextRecordsURL: String?
    }

    let auth: SalesforceJWTBearerAuth
    let http: HTTPTransport
    /// The API version, like `62.0`.
    public let apiVersion: String
    let connector: String

    /// Creates a client.
    public init(auth: SalesforceJWTBearerAuth, http: HTTPTransport, apiVersion: String, connector: String) {
        self.auth = auth
        self.http = http
        self.apiVersion = apiVersion
        self.connector = connector
    }

    var basePath: String { "/services/data/v\(apiVersion)" }

    /// Runs a query and hands each page to `page` in order. The next page is fetched while `page`
    /// works on the current one (at most two pages are held), so a caller that commits each page
    /// overlaps its writes with the network.
    public func query(_ soql: String, includeDeleted: Bool = false, batchSize: Int? = nil,
                      page: (QueryPage) async throws -> Void) async throws {
        try await query(soql, includeDeleted: includeDeleted, batchSize: batchSize, row: { (reader) throws(JSONParser.Failure) in try reader.readValue() }) { rows in
            try await page(QueryPage(totalSize: rows.totalSize, records: rows.rows, nextRecordsURL: rows.nextRecordsURL))
        }
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

    /// Runs a query, reading each record straight from the answer's bytes with `row` (no JSON
    /// tree per record) as part of the prefetch — reading page N+1 overlaps `page` working on
    /// page N — and hands the pages to `page` in order. `row` is given the reader at the record's
    /// object; what it leaves unread is skipped.
    public func query<Row: Sendable>(_ soql: String, includeDeleted: Bool = false, batchSize: Int? = nil,
                                     row: @escaping @Sendable (inout JSONReader) throws(JSONParser.Failure) -> Row?,
                                     page: (QueryRows<Row>) async throws -> Void) async throws {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let q = soql.addingPercentEncoding(withAllowedCharacters: allowed) ?? soql
        let headers = batchSize.map { [("Sforce-Query-Options", "batchSize=\($0)")] } ?? []
        @Sendable func fetch(_ path: String) async throws -> (page: QueryRows<Row>, next: String?) {
            let response = try await send("GET", path, headers: headers)
            return try Self.rows(of: response, row: row)
        }
        var current = try await fetch("\(basePath)/\(includeDeleted ? "queryAll" : "query")?q=\(q)")
        while true {
            guard let nextURL = current.next else {
                try await page(current.page)
                return
            }
            async let next = fetch(nextURL)
            try await page(current.page)
            current = try await next
        }
    }

    /// A query answer's page, and the next page's path unless the answer is `done`.
    static func rows<Row>(of response: HTTPTransport.Response, row: (inout JSONReader) throws(JSONParser.Failure) -> Row?) throws
        -> (page: QueryRows<Row>, next: String?) {
        var totalSize = 0
        var records: [Row]?
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
                    } else if name == "records", reader.peek() == .array {
                        var rows: [Row] = []
                        try reader.readArray { (reader) throws(JSONParser.Failure) in
                            if let made = try row(&reader) { rows.append(made) }
                        }
                        records = rows
                    }
                }
            }
        } catch {
            throw SalesforceAPIError(status: response.status, errorCode: "UNEXPECTED_RESPONSE", message: "the answer is not JSON (\(error))")
        }
        guard let records else {
            throw SalesforceAPIError(status: 200, errorCode: "UNEXPECTED_RESPONSE", message: "a query answer without records")
        }
        return (QueryRows(totalSize: totalSize, rows: records, nextRecordsURL: nextURL), done ? nil : nextURL)
    }

    /// Every record of a query, all pages.
    public func queryAll(_ soql: String, includeDeleted: Bool = false) async throws -> [JSONValue] {
        var all: [JSONValue] = []
        try await query(soql, includeDeleted: includeDeleted) { all += $0.records }
        return all
    }

    /// Creates a record; returns its id. Not retried by the transport unless `safeToRepeat`.
    public func create(_ object: String, fields: JSONValue, safeToRepeat: Bool = false) async throws -> String {
        let value = try await json("POST", "\(basePath)/sobjects/\(object)/", body: fields.serialized(), safeToRepeat: safeToRepeat)
        guard let id = value["id"]?.stringValue else {
            throw SalesforceAPIError(status: 201, errorCode: "UNEXPECTED_RESPONSE", message: "a create answer without an id")
        }
        return id
    }

    /// Changes fields of a record.
    public func update(_ object: String, id: String, fields: JSONValue) async throws {
        _ = try await send("PATCH", "\(basePath)/sobjects/\(object)/\(id)", body: fields.serialized(), safeToRepeat: true)
    }

    /// A record by id, with the given fields (all readable fields when empty).
    public func get(_ object: String, id: String, fields: [String] = []) async throws -> JSONValue {
        let query = fields.isEmpty ? "" : "?fields=" + fields.joined(separator: ",")
        return try await json("GET", "\(basePath)/sobjects/\(object)/\(id)\(query)")
    }

    private func json(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                      safeToRepeat: Bool? = nil) async throws -> JSONValue {
        let response = try await send(method, path, headers: headers, body: body, safeToRepeat: safeToRepeat)
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw SalesforceAPIError(status: response.status, errorCode: "UNEXPECTED_RESPONSE", message: "the answer is not JSON (\(error))")
        }
    }

    private func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                      safeToRepeat: Bool? = nil) async throws -> HTTPTransport.Response {
        let session = try await auth.session()
        var allHeaders = headers + [("Accept", "application/json"), ("Sforce-Mru", "updateMru=false")]
        if body != nil { allHeaders.append(("Content-Type", "application/json")) }
        let response = try await http.send(.init(method: method, url: session.instanceURL + path, headers: allHeaders, body: body,
                                                  safeToRepeat: safeToRepeat, authorization: auth, connector: connector))
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return response
    }

    /// The first entry of a Salesforce error array, or a plain description of the answer.
    static func error(from response: HTTPTransport.Response) -> SalesforceAPIError {
        if let value = try? JSONParser.parse(response.body), case .array(let entries) = value, let first = entries.first {
            let fields: [String] = if case .array(let names)? = first["fields"] { names.compactMap(\.stringValue) } else { [] }
            return SalesforceAPIError(status: response.status, errorCode: first["errorCode"]?.stringValue ?? "UNKNOWN",
                                      message: first["message"]?.stringValue ?? "", fields: fields)
        }
        return SalesforceAPIError(status: response.status, errorCode: "HTTP_\(response.status)",
                                  message: "the answer had no Salesforce error body (\(response.body.count) bytes)")
    }
}
