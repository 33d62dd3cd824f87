import ConnectorKit
import Foundation
import SalesforceConnector
import SwitchboardHost
import Testing

/// `jwt mint --connector … --flow …` for a salesforce connector: the module offers the flows, built
/// from its settings as the connector builds its tokens; the host only looks them up by name.
@Suite("salesforce token flows for jwt mint")
struct SalesforceTokenFlowTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600)
    let registry = ModuleRegistry([SalesforceModule()])

    func connector(loginURL: String = "https://login.salesforce.com", audience: String? = nil, liveAgent: Bool = true) throws -> ConnectorConfiguration {
        try ConnectorDeclarations.read("""
            acme:
              module: salesforce
              features: [ticketing\(liveAgent ? ", live-agent" : "")]
              org: { login_url: \(loginURL)\(audience.map { ", audience: \($0)" } ?? "") }
              auth: { consumer_key: env:SF_KEY, username: integration@acme.example, private_key: vault:sf-jwt-key }
            \(liveAgent ? "  live-agent: { scrt_url: https://acme.my.salesforce-scrt.com, org_id: 00D000000000001AAA, es_developer_name: Support, key_id: switchboard-1, issuer: https://acme.example, private_key: vault:miaw-key }" : "")
            """, modules: [SalesforceModule()])[0]
    }

    func request(subject: String? = nil, audience: String? = nil) -> TokenFlow.Request {
        TokenFlow.Request(subject: subject, audience: audience, now: now) { reference in
            guard reference == SecretReference(.env, "SF_KEY") else { throw ConnectorError.misconfigured("unexpected \(reference)") }
            return "3MVG9consumer"
        }
    }

    @Test func bearer() throws {
        let plan = try ConnectorTokenMinter.plan(flow: "bearer", connector: connector(), registry: registry, request: request())
        #expect(plan.claims.json.description == #"{"iss":"3MVG9consumer","sub":"integration@acme.example","aud":"https://login.salesforce.com","exp":1767225780}"#)
        #expect(plan.key == SecretReference(.vault, "sf-jwt-key") && plan.keyID == nil)
        // aud follows the org's type, not the login URL: a My Domain is not an audience.
        func aud(_ loginURL: String, audience: String? = nil) throws -> JSONValue? {
            try ConnectorTokenMinter.plan(flow: "bearer", connector: connector(loginURL: loginURL, audience: audience), registry: registry, request: request())
                .claims.json["aud"]
        }
        #expect(try aud("sandbox") == .string("https://login.salesforce.com"), "the built-in sandbox org acts as production")
        #expect(try aud("https://acme.my.salesforce.com") == .string("https://login.salesforce.com"))
        #expect(try aud("https://test.salesforce.com") == .string("https://test.salesforce.com"))
        #expect(try aud("https://acme--uat.sandbox.my.salesforce.com") == .string("https://test.salesforce.com"))
        #expect(try aud("https://acme--uat.my.salesforce.com") == .string("https://test.salesforce.com"), "a legacy sandbox My Domain")
        #expect(try aud("https://acme.my.salesforce.com", audience: "https://acme.my.site.com/portal") == .string("https://acme.my.site.com/portal"),
                "org.audience for the rest (an Experience Cloud site)")
        let myDomain = try ConnectorTokenMinter.plan(flow: "bearer", connector: connector(loginURL: "https://acme.my.salesforce.com", audience: "https://login.salesforce.com"),
                                                     registry: registry, request: request())
        #expect(myDomain.claims.json["aud"] == .string("https://login.salesforce.com"))
    }

    @Test func liveAgentUsesTheConfiguredLifetimeAndKid() throws {
        let plan = try ConnectorTokenMinter.plan(flow: "live-agent", connector: connector(), registry: registry, request: request(subject: "user-42"))
        #expect(plan.claims.json.description == #"{"sub":"user-42","iss":"https://acme.example","iat":1767225600,"exp":1767225900}"#)
        #expect(plan.key == SecretReference(.vault, "miaw-key") && plan.keyID == "switchboard-1")
        let missing = #expect(throws: ConnectorError.self) {
            try ConnectorTokenMinter.plan(flow: "live-agent", connector: connector(), registry: registry, request: request())
        }
        #expect(missing?.field == "sub")
    }

    @Test func anUnknownFlowListsTheModulesFlows() throws {
        let error = #expect(throws: KeyToolError.self) {
            try ConnectorTokenMinter.plan(flow: "live-assist", connector: connector(liveAgent: false), registry: registry, request: request())
        }
        #expect(error?.description.contains("has no 'live-assist' token flow; it offers: bearer (") == true, "\(String(describing: error))")
        #expect(!(error?.description.contains("live-agent") ?? true), "no live-agent section, no live-agent flow")
    }
}
