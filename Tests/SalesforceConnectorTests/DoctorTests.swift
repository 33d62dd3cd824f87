import ConnectorKit
import Foundation
@testable import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// `switchboard doctor`'s Salesforce checks against the sandbox: green on an org set up as documented,
/// and each Setup step an admin can miss reported ✗ with its fix when the sandbox is set up without it.
@Suite("salesforce module: doctor")
struct DoctorTests {
    static let sections = """
            ticketing: { fields: { category: Category__c }, idempotency_field: Switchboard_Key__c }
            user-ingestion: { fields: [Department, Employee_Id__c] }
            knowledge: { body_fields: [Body__c] }
        """

    static func failed(_ checks: [Diagnosis]) -> [String] { checks.filter { $0.outcome == .failed }.map(\.id) }

    @Test func anOrgSetUpAsDocumentedPassesEveryCheck() async throws {
        try await ModuleRig.with(contacts: 5, features: "ticketing, user-ingestion, knowledge", sections: Self.sections, org: { org in
            org.customFields += [CustomField(object: "Case", name: "Category__c"), CustomField(object: "Case", name: "Switchboard_Key__c", isExternalID: true)]
        }) { rig in
            let checks = await rig.connector.diagnose()
            #expect(Self.failed(checks).isEmpty, "\(checks.map(\.line).joined(separator: "\n"))")
            #expect(checks.contains { $0.id == "salesforce.object.case.create" && $0.outcome == .passed })
            #expect(checks.contains { $0.id == "salesforce.object.case.external-id" && $0.outcome == .passed })
        }
    }

    @Test func eachMissingSetupStepIsNamedWithItsFix() async throws {
        try await ModuleRig.with(contacts: 5, features: "ticketing, user-ingestion, knowledge", sections: Self.sections, org: { org in
            // No Category__c; the key field exists but is not an External ID; no Create on Case; Knowledge unreadable.
            org.customFields += [CustomField(object: "Case", name: "Switchboard_Key__c")]
            org.objectAccess = [ObjectAccess(object: "Case", create: false), ObjectAccess(object: "Knowledge__kav", read: false, create: false, edit: false)]
        }) { rig in
            let checks = await rig.connector.diagnose()
            #expect(Self.failed(checks) == ["salesforce.object.case.create", "salesforce.object.case.fields", "salesforce.object.case.external-id",
                                            "salesforce.object.knowledge__kav"], "\(checks.map(\.line).joined(separator: "\n"))")
            let create = checks.first { $0.id == "salesforce.object.case.create" }
            #expect(create?.fix?.contains("grant Create on Case") == true && create?.fix?.contains("Object Settings → Case") == true)
            #expect(checks.first { $0.id == "salesforce.object.case.fields" }?.detail.contains("Category__c") == true)
            #expect(checks.first { $0.id == "salesforce.object.knowledge__kav" }?.fix?.contains("Knowledge User") == true)
        }
    }

    /// The connector's own error says the same as doctor: a missing permission, not a bad request.
    @Test func aMissingCreatePermissionIsReportedAsSuch() async throws {
        try await ModuleRig.with(contacts: 5, features: "ticketing", org: { org in org.objectAccess = [ObjectAccess(object: "Case", create: false)] }) { rig in
            let refused = await #expect(throws: ConnectorError.self) {
                _ = try await #require(rig.connector.ticketing).createTicket(NewTicket(
                    requesterEmail: FeatureIsolationTests.email(rig.sandbox), subject: "No create", idempotencyKey: "doc-1"))
            }
            #expect(refused?.code == .unauthorized && refused?.message.contains("switchboard doctor") == true
                    && refused?.message.contains("INSUFFICIENT_ACCESS_OR_READONLY") == true, "\(String(describing: refused))")
        }
    }

    @Test func aRefusedTokenSkipsTheOrgChecks() async throws {
        try await ModuleRig.with(contacts: 5, features: "user-ingestion", org: { org in org.connectedApps = [] }) { rig in
            let checks = await rig.connector.diagnose()
            #expect(Self.failed(checks) == ["salesforce.token"], "\(checks.map(\.line))")
            #expect(checks.first?.detail.contains("consumer key") == true || checks.first?.detail.contains("client identifier") == true, "\(checks.first?.detail ?? "")")
            #expect(checks.dropFirst().allSatisfy { $0.outcome == .skipped })
        }
    }

    /// The messaging deployment: a token for a test subject, and the routing attributes among its pre-chat fields.
    @Test func aRoutingAttributeMissingFromThePreChatFieldsIsNamed() async throws {
        var messaging = try LiveAgentRig.messaging(script: nil)
        messaging.preChatFields = ["_firstName", "_lastName", "User_Id__c"]
        try await LiveAgentRig.withSandbox(messaging: messaging) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            try await rig.running { _, connector in
                let checks = await connector.diagnose()
                #expect(Self.failed(checks) == ["salesforce.messaging.routing-attributes"], "\(checks.map(\.line).joined(separator: "\n"))")
                #expect(checks.first { $0.id == "salesforce.messaging.routing-attributes" }?.detail.hasPrefix("Issue_Topic__c is not among") == true)
                #expect(checks.contains { $0.id == "salesforce.messaging.token" && $0.outcome == .passed })
                #expect(checks.contains { $0.id == "salesforce.messaging.signing-key" && $0.outcome == .passed })
            }
        }
    }

    /// A refused verification JWT, and a published certificate that is not the signing key's: each named.
    @Test func aRefusedTokenAndAWrongCertificateAreNamed() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            let base = await sandbox.baseURL()
            let yaml = LiveAgentRig.yaml(base: base, keyID: "not-uploaded-1", extra: "      certificate: env:SF_NEXT_CERT")
            let rig = try await LiveAgentRig.make(sandbox: sandbox, yaml: yaml)
            defer { Task { await rig.finish() } }
            try await rig.running { _, connector in
                let checks = await connector.diagnose()
                #expect(Self.failed(checks) == ["salesforce.messaging.token", "salesforce.messaging.signing-key"], "\(checks.map(\.line).joined(separator: "\n"))")
                #expect(checks.first { $0.id == "salesforce.messaging.token" }?.detail.contains("wrong kid") == true)
                #expect(checks.first { $0.id == "salesforce.messaging.routing-attributes" }?.outcome == .skipped)
                #expect(checks.first { $0.id == "salesforce.messaging.signing-key" }?.detail.contains("not live-agent.private_key's") == true)
            }
        }
    }
}
