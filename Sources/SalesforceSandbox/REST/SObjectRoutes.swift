import Foundation
import HTTPTypes
import Hummingbird

/// `…/sobjects/{Object}/` create, and `…/sobjects/{Object}/{id}` get / update / delete, with
/// Salesforce's status codes and bodies (201 with `{id, success, errors}`, 204, error arrays).
struct SObjectRoutes {
    let org: SandboxOrg
    let session: SessionCheck

    func add(to router: Router<BasicRequestContext>) {
        let objects = router.group("/services/data/:version/sobjects")
        objects.post(":object") { request, context in
            try await session.authorized(request, context) { version, user in
                let object = context.parameters.get("object") ?? ""
                let values: [String: FieldValue]
                do { values = try await Self.fields(request) } catch { return Self.malformed(error) }
                do throws(SandboxOrg.WriteError) {
                    let id = try org.insert(object, values: values, by: user)
                    return RESTResponses.json(.created, "{\"id\":\"\(id)\",\"success\":true,\"errors\":[]}", limitInfo: org.limitInfo)
                } catch {
                    return Self.failure(error, org: org)
                }
            }
        }
        objects.get(":object/:id") { request, context in
            try await session.authorized(request, context) { version, _ in
                let object = context.parameters.get("object") ?? "", id = context.parameters.get("id") ?? ""
                guard let schema = org.schema(named: object), org.access(to: schema.name).read, let record = org.record(id: id), record.object == schema.name,
                      !record.isDeleted else {
                    return RESTResponses.error(.notFound, code: "NOT_FOUND", message: "The requested resource does not exist", limitInfo: org.limitInfo)
                }
                let requested = FormEncoding.query(of: request)["fields"].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
                var names: [String] = []
                for name in requested ?? schema.fields.map(\.name) {
                    guard let field = schema.field(name) else {
                        return RESTResponses.error(.badRequest, code: "INVALID_FIELD", message: "No such column '\(name)' on sobject of type \(schema.name)",
                                                   limitInfo: org.limitInfo)
                    }
                    names.append(field.name)
                }
                let row = QueryRow(id: id, fields: names.map { ($0, record[$0]) })
                return RESTResponses.json(.ok, RecordJSON.record(row, object: schema.name, version: version), limitInfo: org.limitInfo)
            }
        }
        objects.patch(":object/:id") { request, context in
            try await session.authorized(request, context) { _, _ in
                let values: [String: FieldValue]
                do { values = try await Self.fields(request) } catch { return Self.malformed(error) }
                do throws(SandboxOrg.WriteError) {
                    try org.update(context.parameters.get("object") ?? "", id: context.parameters.get("id") ?? "", values: values)
                    return Response(status: .noContent, headers: [HTTPField.Name("Sforce-Limit-Info")!: org.limitInfo])
                } catch {
                    return Self.failure(error, org: org)
                }
            }
        }
        // Upsert by an External ID field: 201 created / 200 updated, `{id, success, errors, created}`.
        // (The router needs one parameter name per position: `:id` is the External ID field here.)
        objects.patch(":object/:id/:value") { request, context in
            try await session.authorized(request, context) { _, user in
                let values: [String: FieldValue]
                do { values = try await Self.fields(request) } catch { return Self.malformed(error) }
                do throws(SandboxOrg.WriteError) {
                    let (id, created) = try org.upsert(context.parameters.get("object") ?? "", field: context.parameters.get("id") ?? "",
                                                       value: (context.parameters.get("value") ?? "").removingPercentEncoding ?? "", values: values, by: user)
                    return RESTResponses.json(created ? .created : .ok, "{\"id\":\"\(id)\",\"success\":true,\"errors\":[],\"created\":\(created)}",
                                              limitInfo: org.limitInfo)
                } catch {
                    return Self.failure(error, org: org)
                }
            }
        }
        objects.delete(":object/:id") { request, context in
            try await session.authorized(request, context) { _, _ in
                do throws(SandboxOrg.WriteError) {
                    try org.delete(context.parameters.get("object") ?? "", id: context.parameters.get("id") ?? "")
                    return Response(status: .noContent, headers: [HTTPField.Name("Sforce-Limit-Info")!: org.limitInfo])
                } catch {
                    return Self.failure(error, org: org)
                }
            }
        }
    }

    struct Malformed: Error { let message: String }

    /// A JSON object body as field values (`attributes` ignored).
    static func fields(_ request: Request) async throws -> [String: FieldValue] {
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let object = try? JSONDecoder().decode([String: JSONScalar].self, from: Data(buffer: body)) else {
            throw Malformed(message: "expected a JSON object of field values (strings, numbers, booleans, null)")
        }
        var values: [String: FieldValue] = [:]
        for (name, value) in object where name != "attributes" {
            switch value {
            case .null: values[name] = .null
            case .bool(let flag): values[name] = .bool(flag)
            case .int(let number): values[name] = .int(number)
            case .double(let number): values[name] = .double(number)
            case .string(let text): values[name] = SalesforceDate.parse(text).map(FieldValue.dateTime) ?? .string(text)
            case .other: throw Malformed(message: "field \(name): only strings, numbers, booleans and null are supported")
            }
        }
        return values
    }

    static func malformed(_ error: any Error) -> Response {
        RESTResponses.error(.badRequest, code: "JSON_PARSER_ERROR", message: (error as? Malformed)?.message ?? "\(error)")
    }

    static func failure(_ error: SandboxOrg.WriteError, org: SandboxOrg) -> Response {
        let status: HTTPResponse.Status = switch error.errorCode {
        case "NOT_FOUND", "ENTITY_IS_DELETED": .notFound
        case "MULTIPLE_CHOICES": .multipleChoices
        default: .badRequest
        }
        let fields = error.fields.map(JSONText.string).joined(separator: ",")
        return RESTResponses.json(status, "[{\"message\":\(JSONText.string(error.message)),\"errorCode\":\"\(error.errorCode)\",\"fields\":[\(fields)]}]",
                                  limitInfo: org.limitInfo)
    }
}

/// One JSON value of a record body, decoded without losing whether it was a boolean or a number.
enum JSONScalar: Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Int.self) { self = .int(number) }
        else if let number = try? container.decode(Double.self) { self = .double(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else { self = .other }
    }
}
