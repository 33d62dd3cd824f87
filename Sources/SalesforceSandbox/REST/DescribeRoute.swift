import Foundation
import Hummingbird

/// `GET …/sobjects/{Object}/describe`: the object as the session's user sees it — what they may do
/// (`queryable`, `createable`, `updateable`) and its fields (`name`, `type`, `custom`, `externalId`,
/// `unique`, `createable`, `updateable`). An object the user cannot read is `NOT_FOUND`, as in a real org.
struct DescribeRoute {
    let org: SandboxOrg
    let session: SessionCheck

    func add(to router: Router<BasicRequestContext>) {
        router.get("/services/data/:version/sobjects/:object/describe") { request, context in
            try await session.authorized(request, context) { _, _ in
                let name = context.parameters.get("object") ?? ""
                guard let schema = org.schema(named: name), org.access(to: schema.name).read else {
                    return RESTResponses.error(.notFound, code: "NOT_FOUND", message: "The requested resource does not exist", limitInfo: org.limitInfo)
                }
                return RESTResponses.json(.ok, Self.describe(schema, access: org.access(to: schema.name)), limitInfo: org.limitInfo)
            }
        }
    }

    static func describe(_ schema: SObjectSchema, access: ObjectAccess) -> String {
        let fields = schema.fields.map { field in
            let type = switch field.type {
            case .dateTime: "datetime"
            case .int: "int"
            default: field.type.rawValue
            }
            return "{\"name\":\(JSONText.string(field.name)),\"type\":\"\(type)\",\"custom\":\(field.name.hasSuffix("__c")),"
                + "\"externalId\":\(field.isExternalID),\"unique\":\(field.isExternalID),"
                + "\"createable\":\(field.writable && access.create),\"updateable\":\(field.writable && access.edit)}"
        }
        return "{\"name\":\(JSONText.string(schema.name)),\"custom\":\(schema.name.hasSuffix("__c") || schema.name.hasSuffix("__kav")),"
            + "\"queryable\":\(access.read),\"retrieveable\":\(access.read),\"createable\":\(access.create),\"updateable\":\(access.edit),"
            + "\"fields\":[" + fields.joined(separator: ",") + "]}"
    }
}
