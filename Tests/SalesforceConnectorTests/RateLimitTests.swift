import ConnectorKit
import Foundation
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// The `salesforce` module as the host builds it from connectors.yaml: a rate limit pauses a sync
/// (readiness shows it), and the next run resumes from the checkpoint.
@Suite("salesforce module: rate limits pause and resume", .serialized)
struct RateLimitTests {
    @Test func aRateLimitedSyncPausesThenResumesFromItsCheckpoint() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-ratelimit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try SandboxFixture.key.privateKeyPEM.revealedString().write(toFile: directory + "/sf.pem", atomically: false, encoding: .utf8)
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration(contacts: 450)) { sandbox in
            let yaml = """
                version: 1
                connectors:
                  acme:
                    module: salesforce
                    features: [user-ingestion]
                    org: { login_url: "\(await sandbox.baseURL())" }
                    auth: { consumer_key: \(SandboxFixture.consumerKey), username: \(SeedData.integrationUsername), private_key: file:sf.pem }
                    user-ingestion: { batch_size: 200 }
                """
            let configuration = try ConfigLoader(registry: ModuleRegistry([SalesforceModule()])).load(text: yaml, file: "connectors.yaml", baseDirectory: directory)
            let store = try SQLiteStore(path: directory + "/state.db")
            let transport = SandboxFixture.transport(maxAttempts: 2)
            let context = ConnectorContext(connectorName: "acme", vault: CredentialVault(configuration: configuration.vault), http: transport,
                                           store: store, sink: store, events: store, logger: SandboxFixture.quiet)
            let connector = try SalesforceModule().makeConnector(configuration: configuration.connectors[0], context: context)
            let users = try #require(connector.userIngestion)

            // The daily limit runs out after the first page.
            sandbox.faults.add(FaultRule(path: "/services/data/v62.0/query/", status: 403, times: 1))
            await #expect(throws: SalesforceAPIError.self) { try await users.syncUsers(mode: .incremental) { _ in } }
            let paused = await connector.check()
            #expect(paused.status == .degraded && paused.checks.contains { $0.detail.contains("paused") && $0.detail.contains("REQUEST_LIMIT_EXCEEDED") })
            #expect(try await store.count(connector: "acme", stream: "users") == 200, "the first page stayed")

            let resumed = try await users.syncUsers(mode: .incremental) { _ in }
            #expect(resumed.upserted == 250, "resumed from the checkpoint")
            #expect(await connector.check().status == .healthy)
            try await transport.shutdown()
        }
    }
}
