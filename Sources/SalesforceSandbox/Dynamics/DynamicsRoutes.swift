import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The fake Microsoft identity platform token endpoint and Dynamics 365 Web API contacts
/// (live-assist-dynamics.md §5–6): client credentials with `scope = {org}/.default`, Entra-shaped
/// errors (`error`, `error_description` with AADSTS codes, `error_codes`, `trace_id`,
/// `correlation_id`), and `GET /api/data/v9.2/contacts` with `$select`, `$filter` on
/// `emailaddress1 eq '…'` (case-insensitive, `''` for a quote), `$top`, `Prefer: odata.maxpagesize`.
struct DynamicsRoutes {
    let dynamics: DynamicsOrg
    let baseURL: @Sendable () -> String

    static let selectable: Set<String> = ["contactid", "firstname", "lastname", "emailaddress1", "fullname"]

    func add(to router: Router<BasicRequestContext>) {
        router.post("/:tenant/oauth2/v2.0/token") { request, context in
            let tenant = try context.parameters.require("tenant")
            let body = try await request.body.collect(upTo: 64 * 1024)
            let form = FormEncoding.decode(Substring(String(buffer: body)))
            let configuration = dynamics.configuration
            guard tenant == configuration.tenant else {
                dynamics.refusedToken()
                return Self.entraError(.badRequest, "invalid_request", 90002, "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
            }
            guard form["grant_type"] == "client_credentials" else {
                dynamics.refusedToken()
                return Self.entraError(.badRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
            }
            var clientId = form["client_id"], secret = form["client_secret"]
            if let header = request.headers[.authorization], header.hasPrefix("Basic "),
               let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
               let colon = decoded.firstIndex(of: ":") {
                clientId = FormEncoding.decode(Substring("a=" + decoded[..<colon]))["a"]
                secret = FormEncoding.decode(Substring("a=" + decoded[decoded.index(after: colon)...]))["a"]
            }
            guard clientId == configuration.clientId else {
                dynamics.refusedToken()
                return Self.entraError(.badRequest, "unauthorized_client", 700016,
                                       "Application with identifier '\(clientId ?? "")' was not found in the directory '\(tenant)'.")
            }
            guard secret == configuration.clientSecret else {
                dynamics.refusedToken()
                return Self.entraError(.unauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
            }
            let expected = baseURL() + "/.default"
            guard let scope = form["scope"], Self.sameScope(scope, expected) else {
                dynamics.refusedToken()
                return Self.entraError(.badRequest, "invalid_scope", 70011,
                                       "The provided value for the input parameter 'scope' is not valid. The scope \(form["scope"] ?? "") is not valid (expected \(expected)).")
            }
            let seconds = configuration.tokenLifetime.components.seconds
            return MessagingRoutes.json(.ok, "{\"token_type\":\"Bearer\",\"expires_in\":\(seconds),\"ext_expires_in\":\(seconds),\"access_token\":\"\(dynamics.issueToken())\"}")
        }
        router.get("/api/data/:version/contacts") { request, context in
            guard try context.parameters.require("version") == "v9.2" else {
                return Self.odataError(.notFound, "0x80060888", "Resource not found for the segment 'contacts' in this API version.")
            }
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), dynamics.isValid(String(header.dropFirst(7))) else {
                var response = Self.odataError(.unauthorized, "0x80072182", "Bearer token expired or invalid (ExpiredAuthTicket).")
                response.headers[HTTPField.Name("WWW-Authenticate")!] = "Bearer authorization_uri=https://login.microsoftonline.com/\(dynamics.configuration.tenant)/oauth2/authorize"
                return response
            }
            guard dynamics.configuration.canReadContacts else {
                return Self.odataError(.forbidden, "0x80040220", "Principal user (Id=\(dynamics.configuration.clientId), type=8) is missing prvReadContact privilege.")
            }
            let query = FormEncoding.query(of: request)
            let select = (query["$select"] ?? "contactid,firstname,lastname,emailaddress1,fullname").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if let unknown = select.first(where: { !Self.selectable.contains($0) }) {
                return Self.odataError(.badRequest, "0x0", "Could not find a property named '\(unknown)' on type 'Microsoft.Dynamics.CRM.contact'.")
            }
            var rows = dynamics.contacts
            if let filter = query["$filter"] {
                guard let email = Self.emailFilter(filter) else {
                    return Self.odataError(.badRequest, "0x80060888", "Syntax error at position \(filter.count) in '\(filter)'; this sandbox supports emailaddress1 eq '…'.")
                }
                rows = dynamics.contacts(email: email)
            }
            let preference = request.headers[HTTPField.Name("Prefer")!]
            let pageSize = preference.flatMap { $0.split(separator: "=").last.flatMap { Int($0) } }
            let top = query["$top"].flatMap(Int.init)
            if let limit = top ?? pageSize { rows = Array(rows.prefix(max(0, min(limit, 5000)))) } else { rows = Array(rows.prefix(5000)) }
            let base = baseURL()
            let values = rows.map { row -> String in
                var members = ["\"@odata.etag\":\"W/\\\"\(abs(row.contactid.hashValue % 9_000_000) + 1_000_000)\\\"\"", "\"contactid\":\"\(row.contactid)\""]
                for field in select where field != "contactid" {
                    let value = switch field {
                    case "firstname": row.firstname
                    case "lastname": row.lastname
                    case "emailaddress1": row.emailaddress1
                    default: "\(row.firstname) \(row.lastname)"
                    }
                    members.append("\"\(field)\":\(JSONText.string(value))")
                }
                return "{" + members.joined(separator: ",") + "}"
            }
            var headers: HTTPFields = [.contentType: "application/json; odata.metadata=minimal", HTTPField.Name("OData-Version")!: "4.0"]
            if let pageSize, top == nil { headers[HTTPField.Name("Preference-Applied")!] = "odata.maxpagesize=\(pageSize)" }
            let body = "{\"@odata.context\":\"\(base)/api/data/v9.2/$metadata#contacts(\(select.joined(separator: ",")))\",\"value\":[" + values.joined(separator: ",") + "]}"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    /// The e-mail of `emailaddress1 eq '…'` (`''` is one quote), or nil for any other filter.
    static func emailFilter(_ filter: String) -> String? {
        let prefix = "emailaddress1 eq '"
        guard filter.hasPrefix(prefix), filter.hasSuffix("'"), filter.count > prefix.count else { return nil }
        let literal = filter.dropFirst(prefix.count).dropLast()
        var result = "", index = literal.startIndex
        while index < literal.endIndex {
            let character = literal[index]
            if character == "'" {
                let next = literal.index(after: index)
                guard next < literal.endIndex, literal[next] == "'" else { return nil }   // an unescaped quote ends the literal early
                result.append("'")
                index = literal.index(after: next)
            } else {
                result.append(character)
                index = literal.index(after: index)
            }
        }
        return result
    }

    static func sameScope(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }

    static func entraError(_ status: HTTPResponse.Status, _ error: String, _ code: Int, _ description: String) -> Response {
        let trace = UUID().uuidString.lowercased()
        let timestamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: "T", with: " ")
        return MessagingRoutes.json(status, "{\"error\":\"\(error)\",\"error_description\":\(JSONText.string("AADSTS\(code): \(description) Trace ID: \(trace)")),"
            + "\"error_codes\":[\(code)],\"timestamp\":\"\(timestamp)\",\"trace_id\":\"\(trace)\",\"correlation_id\":\"\(UUID().uuidString.lowercased())\"}")
    }

    static func odataError(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        MessagingRoutes.json(status, "{\"error\":{\"code\":\"\(code)\",\"message\":\(JSONText.string(message))}}")
    }
}
