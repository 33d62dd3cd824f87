import ConnectorKit
import Foundation

/// The Salesforce REST API over the host's shared transport, authenticated by the JWT bearer flow:
/// queries with `nextRecordsUrl` paging, sObject create / update / get. Non-2xx answers become
/// ``SalesforceAPIError``s; a 401 re-authenticates once (the transport's rule).
public struct SalesforceREST: Sendable {
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

    /// Creates a record; returns its id. Not retried by the transport unless `safeToRepeat`.
    public func create(_ object: String, fields: JSONValue, safeToRepeat: Bool = false) async throws -> String {
        let value = try await json("POST", "\(basePath)/sobjects/\(object)/", body: fields.serialized(), safeToRepeat: safeToRepeat)
        guard let id = value["id"]?.stringValue else {
            throw SalesforceAPIError(status: 201, errorCode: "UNEXPECTED_RESPONSE", message: "a create answer without an id")
        }
        return id
    }

    /// Upserts by an External ID field (`PATCH /sobjects/{object}/{field}/{value}`): creates the record
    /// or updates the one with that value. Safe to repeat, so the transport retries it.
    public func upsert(_ object: String, externalIDField field: String, value: String, fields: JSONValue) async throws -> (id: String, created: Bool) {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#%")
        let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
        let response = try await send("PATCH", "\(basePath)/sobjects/\(object)/\(field)/\(encoded)", body: fields.serialized(), safeToRepeat: true)
        let answer = try? JSONParser.parse(response.body)
        guard let id = answer?["id"]?.stringValue else {
            throw SalesforceAPIError(status: response.status, errorCode: "UNEXPECTED_RESPONSE", message: "an upsert answer without an id")
        }
        return (id, response.status == 201)
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

    func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
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
