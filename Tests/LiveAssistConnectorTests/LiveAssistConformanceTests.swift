import ConnectorKit
import ConnectorKitTesting
import Foundation
import LiveAssistConnector
import SalesforceSandbox
import Testing

/// The `dynamics-live-assist` module passes the conformance kit against the sandbox's Dynamics org.
@Suite("dynamics-live-assist module conformance")
struct LiveAssistConformanceTests {
    @Test func liveAssistModulePassesTheConformanceKit() async throws {
        var configuration = SandboxConfiguration()
        configuration.seed = SeedData(seed: 3, contacts: 5)
        configuration.messaging.script = nil
        try await SalesforceSandbox.withRunning(configuration: configuration) { sandbox in
            let base = await sandbox.baseURL()
            var options = ConnectorConformance.Options()
            options.environment = ["D365_SECRET": DynamicsConfiguration().clientSecret, "LA_KEY": try LiveAssistTests.key.privateKeyPEM.revealedString()]
            let report = try await ConnectorConformance.check(LiveAssistModule(), config: """
                assist:
                  module: dynamics-live-assist
                  features: [live-agent]
                  dynamics: { url: "\(base)", authority: "\(base)", tenant: sandbox-tenant, client_id: \(DynamicsConfiguration().clientId), client_secret: env:D365_SECRET }
                  live-agent: { issuer: support.acme.example, private_key: env:LA_KEY, token_lifetime: 15m }
                """, options: options)
            #expect(report.results(for: .secretsStayHidden).allSatisfy { if case .passed = $0.outcome { true } else { false } }, "\(report)")
            #expect(report.results(for: .checkAnswers).allSatisfy { if case .passed = $0.outcome { true } else { false } }, "\(report)")
        }
    }
}
