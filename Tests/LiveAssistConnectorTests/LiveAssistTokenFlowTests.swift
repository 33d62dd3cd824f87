import ConnectorKit
import Foundation
import LiveAssistConnector
import SwitchboardHost
import Testing

/// `jwt mint --connector … --flow live-assist`: the module's flow, from its settings.
@Suite("dynamics-live-assist token flow for jwt mint")
struct LiveAssistTokenFlowTests {
    @Test func liveAssistTokenFromTheSettings() throws {
        let connector = try ConnectorDeclarations.read("""
            assist:
              module: dynamics-live-assist
              features: [live-agent]
              dynamics: { url: https://contoso.crm.dynamics.com, tenant: contoso, client_id: 00000000-0000-4000-8000-00000000d365, client_secret: env:D365 }
              live-agent: { issuer: https://acme.example, private_key: vault:la-key }
            """, modules: [LiveAssistModule()])[0]
        let registry = ModuleRegistry([LiveAssistModule()])
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let plan = try ConnectorTokenMinter.plan(
            flow: "live-assist", connector: connector, registry: registry,
            request: TokenFlow.Request(subject: "7D51925C-CDE2-E411-80DB-00155D2A68CB", givenName: "Dana", familyName: "Rivera", now: now) { _ in "" })
        #expect(plan.claims.json.description
            == #"{"sub":"7d51925c-cde2-e411-80db-00155d2a68cb","given_name":"Dana","family_name":"Rivera","iss":"https://acme.example","iat":1767225600,"exp":1767226500}"#)
        #expect(plan.key == SecretReference(.vault, "la-key") && plan.keyID == nil)
        #expect(throws: ConnectorError.self) {
            try ConnectorTokenMinter.plan(flow: "live-assist", connector: connector, registry: registry,
                                          request: TokenFlow.Request(subject: "x", now: now) { _ in "" })
        }
    }
}
