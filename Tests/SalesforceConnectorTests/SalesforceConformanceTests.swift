import ConnectorKit
import ConnectorKitTesting
import Foundation
import SalesforceConnector
import SalesforceSandbox
import Testing

/// The `salesforce` module passes the conformance kit against the sandbox org, as any module must.
@Suite("salesforce module conformance")
struct SalesforceConformanceTests {
    @Test func salesforceModulePassesTheConformanceKit() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-conformance-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try SandboxFixture.key.privateKeyPEM.revealedString().write(toFile: directory + "/sf.pem", atomically: false, encoding: .utf8)
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration(contacts: 500, cases: 10)) { sandbox in
            guard case .string(let email) = sandbox.org.records("Contact")[3]["Email"] else { Issue.record("no email"); return }
            var options = ConnectorConformance.Options()
            options.baseDirectory = directory
            options.sampleTicket.requesterEmail = email
            options.transport.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))
            let report = try await ConnectorConformance.check(SalesforceModule(), config: """
                acme:
                  module: salesforce
                  features: [ticketing, user-ingestion, knowledge]
                  org: { login_url: "\(await sandbox.baseURL())" }
                  auth: { consumer_key: \(SandboxFixture.consumerKey), username: \(SeedData.integrationUsername), private_key: file:sf.pem }
                  user-ingestion: { batch_size: 200 }
                  knowledge: { batch_size: 200 }
                """, options: options)
            // Every check ran and passed: nothing of this module is left as a TODO.
            #expect(report.results.allSatisfy { if case .passed = $0.outcome { true } else { false } }, "\(report)")
            #expect(report.results(for: .checkpointAfterWrite).count == 2, "both syncs were checked")
        }
    }
}
