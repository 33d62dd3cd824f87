import ConnectorKit
import Foundation
import SalesforceConnector
import SwitchboardHost
import Testing

/// The salesforce module says what it needs from the sandbox; the executable reads none of its settings.
@Suite("salesforce sandbox wiring")
struct SalesforceSandboxWiringTests {
    @Test func wiringComesFromTheModulesSettings() throws {
        let connector = try ConnectorDeclarations.read("""
            acme:
              module: salesforce
              features: [ticketing, live-agent]
              org: { login_url: sandbox, sandbox: { contacts: 12, custom_fields: { Case: [Category__c] } } }
              auth: { consumer_key: 3MVG9demo, username: integration@sandbox.example, private_key: file:sf.pem }
              ticketing: { idempotency_field: Request_Key__c }
              live-agent: { scrt_url: sandbox, org_id: 00DSBX000000001AAA, es_developer_name: Support_API, key_id: k1, issuer: https://acme.example, private_key: file:miaw.pem }
            """, modules: [SalesforceModule()])[0]
        let wiring = try #require(SalesforceModule().sandboxWiring(for: connector))
        #expect(wiring.data?["contacts"] == .integer(12) && wiring.data?["seed"] == .integer(42), "written values and the schema's defaults")
        #expect(wiring.customFields == [.init(object: "Case", name: "Category__c"), .init(object: "Case", name: "Request_Key__c", isExternalID: true)])
        #expect(wiring.connectedApp == .init(consumerKey: .sensitive(Secret("3MVG9demo")), username: "integration@sandbox.example", privateKey: SecretReference(.file, "sf.pem")))
        #expect(wiring.messaging?.keyID == "k1" && wiring.messaging?.esDeveloperName == "Support_API")
        let rewritten = wiring.rewrite(URL(string: "http://127.0.0.1:9999")!)
        #expect(rewritten.value(at: "org.login_url") == .url(URL(string: "http://127.0.0.1:9999")!))
        #expect(rewritten.value(at: "live-agent.scrt_url") == .url(URL(string: "http://127.0.0.1:9999")!))

        let real = try ConnectorDeclarations.read("""
            acme:
              module: salesforce
              features: [ticketing]
              org: { login_url: https://acme.my.salesforce.com }
              auth: { consumer_key: k, username: u@acme.example, private_key: vault:k }
            """, modules: [SalesforceModule()])[0]
        #expect(SalesforceModule().sandboxWiring(for: real) == nil, "a real org needs no sandbox")
    }
}
