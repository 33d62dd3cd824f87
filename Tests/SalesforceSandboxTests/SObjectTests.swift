import ConnectorKit
import Foundation
@testable import SalesforceSandbox
import Testing

/// sObject create / get / update / delete over real HTTP, with Salesforce's shapes.
@Suite("Sandbox sObject routes")
struct SObjectTests {
    func send(_ client: SandboxClient, _ method: String, _ path: String, _ body: String? = nil) async throws -> HTTPTransport.Response {
        try await client.transport.send(.init(method: method, url: client.base + path,
                                              headers: [("Authorization", "Bearer \(client.token)"), ("Content-Type", "application/json")],
                                              body: body.map { Array($0.utf8) }, safeToRepeat: true))
    }

    @Test func createGetUpdateDeleteACase() async throws {
        try await SandboxClient.with { client in
            let contact = client.sandbox.org.records("Contact")[0].id
            let created = try await send(client, "POST", "/services/data/v62.0/sobjects/Case/",
                                         #"{"Subject":"Laptop on fire","ContactId":"\#(contact)","Origin":"Chat","Priority":"High"}"#)
            #expect(created.status == 201)
            let body = try SandboxClient.object(created)
            let id = try #require(body["id"] as? String)
            #expect(body["success"] as? Bool == true && (body["errors"] as? [Any])?.isEmpty == true && id.count == 18)

            let fetched = try SandboxClient.object(try await send(client, "GET", "/services/data/v62.0/sobjects/Case/\(id)?fields=Subject,Status,IsClosed,CaseNumber"))
            #expect(fetched["Subject"] as? String == "Laptop on fire" && fetched["Status"] as? String == "New" && fetched["IsClosed"] as? Bool == false)
            #expect((fetched["attributes"] as? [String: Any])?["type"] as? String == "Case" && fetched["CaseNumber"] is String)

            let before = client.sandbox.org.record(id: id)!["SystemModstamp"]
            let patched = try await send(client, "PATCH", "/services/data/v62.0/sobjects/Case/\(id)", #"{"Status":"Closed"}"#)
            #expect(patched.status == 204 && patched.body.isEmpty)
            let after = client.sandbox.org.record(id: id)!
            #expect(after["IsClosed"] == .bool(true))
            guard case .dateTime(let was) = before, case .dateTime(let now) = after["SystemModstamp"] else { Issue.record("no stamps"); return }
            #expect(now >= was && now % 1000 == 0, "stamped again, in whole seconds (the same second keeps the stamp)")

            let comment = try await send(client, "POST", "/services/data/v62.0/sobjects/CaseComment/",
                                         #"{"ParentId":"\#(id)","CommentBody":"Thanks","IsPublished":true}"#)
            #expect(comment.status == 201)
            let comments = try SandboxClient.object(try await client.query("SELECT Id, CommentBody, IsPublished FROM CaseComment WHERE ParentId = '\(id)'"))
            #expect(comments["totalSize"] as? Int == 1)

            #expect(try await send(client, "DELETE", "/services/data/v62.0/sobjects/Case/\(id)").status == 204)
            #expect(try await send(client, "GET", "/services/data/v62.0/sobjects/Case/\(id)").status == 404)
            let all = try SandboxClient.object(try await client.query("SELECT Id, IsDeleted FROM Case WHERE Id = '\(id)'", all: true))
            #expect(all["totalSize"] as? Int == 1, "deleted rows stay visible to queryAll")
        }
    }

    @Test func writeErrorsHaveSalesforceShapes() async throws {
        try await SandboxClient.with { client in
            let unknown = try await send(client, "POST", "/services/data/v62.0/sobjects/Case/", #"{"Nope__c":"x"}"#)
            let unknownError = try SandboxClient.firstError(unknown)
            #expect(unknown.status == 400 && unknownError["errorCode"] as? String == "INVALID_FIELD")
            let readOnly = try await send(client, "POST", "/services/data/v62.0/sobjects/Case/", #"{"CaseNumber":"1"}"#)
            let readOnlyError = try SandboxClient.firstError(readOnly)
            #expect(readOnlyError["errorCode"] as? String == "INVALID_FIELD_FOR_INSERT_UPDATE")
            let missing = try await send(client, "POST", "/services/data/v62.0/sobjects/Contact/", #"{"FirstName":"Ada"}"#)
            let missingError = try SandboxClient.firstError(missing)
            #expect(missingError["errorCode"] as? String == "REQUIRED_FIELD_MISSING" && missingError["fields"] as? [String] == ["LastName"])
            let wrongType = try await send(client, "POST", "/services/data/v62.0/sobjects/Case/", #"{"Subject":true}"#)
            #expect(wrongType.status == 400)
            let longComment = String(repeating: "x", count: 4001)
            let tooLong = try await send(client, "POST", "/services/data/v62.0/sobjects/CaseComment/",
                                         #"{"ParentId":"500SBX000000001AAA","CommentBody":"\#(longComment)"}"#)
            let tooLongError = try SandboxClient.firstError(tooLong)
            #expect(tooLongError["errorCode"] as? String == "STRING_TOO_LONG")
            let notFound = try await send(client, "PATCH", "/services/data/v62.0/sobjects/Case/500SBX999999999AAA", #"{"Status":"Closed"}"#)
            #expect(notFound.status == 404)
            let noSession = try await client.transport.send(.init(method: "POST", url: client.base + "/services/data/v62.0/sobjects/Case/",
                                                                  body: Array("{}".utf8)))
            #expect(noSession.status == 401)
        }
    }

    /// A stock org's Case has no custom fields; an admin's External ID field makes upserts by it:
    /// 201 created, 200 updated, 300 when several share the value, 404 for a field that is not one.
    @Test func customFieldsAndUpsertByExternalID() async throws {
        try await SandboxClient.with { client in
            let stock = try await send(client, "POST", "/services/data/v62.0/sobjects/Case/", #"{"Subject":"x","Category__c":"Hardware"}"#)
            let stockError = try SandboxClient.firstError(stock)
            #expect(stock.status == 400 && stockError["errorCode"] as? String == "INVALID_FIELD")
        }
        var configuration = SandboxConfiguration()
        configuration.customFields = [CustomField(object: "Case", name: "Category__c", type: .picklist),
                                      CustomField(object: "Case", name: "Ext_Key__c", isExternalID: true)]
        try await SandboxClient.with(configuration) { client in
            let path = "/services/data/v62.0/sobjects/Case/Ext_Key__c/a%2Fb%20c"
            let created = try await send(client, "PATCH", path, #"{"Subject":"Upserted","Category__c":"Hardware"}"#)
            let body = try SandboxClient.object(created)
            #expect(created.status == 201 && body["created"] as? Bool == true)
            let id = try #require(body["id"] as? String)
            #expect(client.sandbox.org.record(id: id)?["Ext_Key__c"] == .string("a/b c"), "the value is percent-decoded")
            let updated = try await send(client, "PATCH", path, #"{"Subject":"Upserted again"}"#)
            let updatedBody = try SandboxClient.object(updated)
            #expect(updated.status == 200 && updatedBody["id"] as? String == id)
            #expect(client.sandbox.org.record(id: id)?["Subject"] == .string("Upserted again"))
            let notExternal = try await send(client, "PATCH", "/services/data/v62.0/sobjects/Case/Category__c/Hardware", #"{"Subject":"x"}"#)
            #expect(notExternal.status == 404)
            _ = try client.sandbox.org.insert("Case", values: ["Subject": .string("dup"), "Ext_Key__c": .string("twice")])
            _ = try client.sandbox.org.insert("Case", values: ["Subject": .string("dup"), "Ext_Key__c": .string("twice")])
            let several = try await send(client, "PATCH", "/services/data/v62.0/sobjects/Case/Ext_Key__c/twice", #"{"Subject":"x"}"#)
            #expect(several.status == 300)
        }
    }
}
