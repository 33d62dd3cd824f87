import ConnectorKit
import Foundation
@testable import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// Which contact sync the host's schedule runs next, given what already ran — through the module as
/// the host and `switchboard sync` build it.
@Suite("salesforce module: the scheduled contact sync", .serialized)
struct ContactScheduleTests {
    /// `switchboard sync --full` (the connector's `syncUsers(mode: .full)`) counts toward
    /// `full_every`: the host's next scheduled run is incremental, not another full read. An
    /// interrupted full run makes the next scheduled run full (it resumes).
    @Test func aFullSyncFromTheCLICountsTowardFullEvery() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-schedule-" + UUID().uuidString
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
                    user-ingestion: { batch_size: 200, full_every: 1h }
                """
            let configuration = try ConfigLoader(registry: ModuleRegistry([SalesforceModule()])).load(text: yaml, file: "connectors.yaml", baseDirectory: directory)
            let store = try SQLiteStore(path: directory + "/state.db")
            let transport = SandboxFixture.transport(maxAttempts: 1)
            let context = ConnectorContext(connectorName: "acme", vault: CredentialVault(configuration: configuration.vault), http: transport,
                                           store: store, sink: store, events: store, logger: SandboxFixture.quiet)
            let connection = try #require(try SalesforceModule().makeConnector(configuration: configuration.connectors[0], context: context) as? SalesforceConnection)
            let now = Date()
            #expect(try await connection.scheduledContactMode(now: now) == .full, "nothing ran yet")
            _ = try await connection.syncUsers(mode: .full) { _ in }
            #expect(try await connection.scheduledContactMode(now: now) == .incremental, "the CLI's full read counts")
            #expect(try await connection.scheduledContactMode(now: now.addingTimeInterval(3700)) == .full, "full_every later")

            sandbox.faults.add(FaultRule(path: "/services/data/v62.0/query/", status: 400, times: 1))
            await #expect(throws: (any Error).self) { try await connection.syncUsers(mode: .full) { _ in } }
            #expect(try await connection.scheduledContactMode(now: now) == .full, "an interrupted full read goes on at the next run")
            try await transport.shutdown()
        }
    }
}
