import ConnectorKit

/// The decoding the contact sync does on a query answer's bytes — the page's size and next page
/// and every record as a user, all through ``ConnectorKit/JSONReader`` — for the fuzz targets
/// (`Fuzz/`, `FuzzTargets`). Not part of the module's API.
@_spi(Fuzzing) public enum ContactPageDecoding {
    /// Decodes one answer as the contact sync does (`Department` and `Title` as extra fields).
    public static func decode(_ body: [UInt8]) throws -> (total: Int, next: String?, users: [UserRecord]) {
        let page = try SalesforceREST.rows(of: HTTPTransport.Response(status: 200, headers: [], body: body)) { (reader) throws(JSONParser.Failure) in
            try ContactSync.user(reading: &reader, extraFields: ["Department", "Title"])
        }
        return (page.totalSize, page.nextRecordsURL, page.rows)
    }

    /// The `nextRecordsUrl` of an answer, read as the query's read-ahead does (skipping the records).
    public static func nextPath(_ body: [UInt8]) throws -> String? {
        try SalesforceREST.nextRecordsPath(of: HTTPTransport.Response(status: 200, headers: [], body: body))
    }
}
