import ConnectorKit
import Foundation
import Logging
import Logging
import SalesforceConnector
import SalesforceSandbox
import ServiceLifecycle
import SwitchboardHost
import Testing

/// A `salesforce` connector with the live-agent feature, loaded from YAML like the host loads it,
/// running against a sandbox whose messaging keyset holds the fixture key, over a real SQLite store.
struct LiveAgentRig: Sendable {
    let sandbox: SalesforceSandbox
    let store: SQLiteStore
    let directory: String
    let configuration: HostConfiguration
    let transport: HTTPTransport

    static let issuer = "https://switchboard.test"

    /// The sandbox's messaging deployment for these tests: the fixture key uploaded under `test-1`.
    static func messaging(script: MessagingScript?, replay: Bool = true) throws -> MessagingConfiguration {
        var messaging = MessagingConfiguration()
        messaging.issuer = issuer
        messaging.uploadedKeys = [SandboxFixture.key.jwk.json.description]
        messaging.script = script
        messaging.replayAfterLastEventId = replay
        messaging.pingInterval = .milliseconds(300)
        return messaging
    }

    /// A quick script: everything within about a second.
    static var quickScript: MessagingScript {
        var script = MessagingScript()
        script.routingDelay = .milliseconds(50)
        script.joinDelay = .milliseconds(100)
        script.typingTime = .milliseconds(50)
        script.replyInterval = .milliseconds(100)
        script.endDelay = .milliseconds(100)
        script.estimatedWaitSeconds = 30
        return script
    }

    static func withSandbox(messaging: MessagingConfiguration, _ body: @Sendable (SalesforceSandbox) async throws -> Void) async throws {
        var configuration = SandboxFixture.configuration(contacts: 5)
        configuration.messaging = messaging
        try await SalesforceSandbox.withRunning(configuration: configuration) { sandbox in try await body(sandbox) }
    }

    /// The connector's YAML; `liveAgent` lines replace the defaults of the live-agent section.
    static func yaml(base: String, keyID: String = "test-1", issuer: String = LiveAgentRig.issuer, extra: String = "") -> String {
        """
        version: 1
        connectors:
          sf:
            module: salesforce
            features: [live-agent]
            org: { login_url: \(base) }
            auth: { consumer_key: \(SandboxFixture.consumerKey), username: \(SeedData.integrationUsername), private_key: env:SF_TEST_KEY }
            live-agent:
              scrt_url: \(base)
              org_id: 00DSBX000000001AAA
              es_developer_name: Support_API
              key_id: \(keyID)
              issuer: \(issuer)
              private_key: env:SF_TEST_KEY
              routing_attributes: { user: User_Id__c, topic: Issue_Topic__c }
              topics: [Hardware, Software, Access, Unroutable]
              stream_idle_timeout: 5s
        \(extra)
        """
    }

    static func make(sandbox: SalesforceSandbox, yaml: String? = nil, directory: String? = nil) async throws -> LiveAgentRig {
        let directory = directory ?? NSTemporaryDirectory() + "switchboard-live-" + UUID().uuidString
        let base = await sandbox.baseURL()
        let environment = ["SF_TEST_KEY": try SandboxFixture.key.privateKeyPEM.revealedString(),
                           "SF_NEXT_KEY": try SandboxFixture.otherKey.privateKeyPEM.revealedString(),
                           "SF_NEXT_CERT": SandboxFixture.otherKey.certificatePEM]
        let configuration = try ConfigLoader(registry: ModuleRegistry([SalesforceModule()]), environment: environment)
            .load(text: yaml ?? Self.yaml(base: base), file: "connectors.yaml", baseDirectory: directory)
        return LiveAgentRig(sandbox: sandbox, store: try SQLiteStore(path: directory + "/state.db"), directory: directory,
                            configuration: configuration, transport: SandboxFixture.transport(maxAttempts: 3))
    }

    /// Makes the connector (with `clock` for its signer) and runs it for the duration of `body`.
    @discardableResult
    func running<T: Sendable>(clock: ConnectorClock = .system, _ body: @Sendable (any LiveAgent, any Connector) async throws -> T) async throws -> T {
        let connectorConfiguration = configuration.connectors[0]
        let vault = CredentialVault(configuration: configuration.vault)
        vault.registerEnvironmentSecrets(configuration.secretReferences)
        let context = ConnectorContext(connectorName: connectorConfiguration.name, vault: vault, http: transport, store: store, sink: store,
                                       events: store, users: store, handoffs: store, logger: SandboxFixture.quiet, clock: clock)
        let connector = try SalesforceModule().makeConnector(configuration: connectorConfiguration, context: context)
        let group = ServiceGroup(configuration: .init(services: [connector], gracefulShutdownSignals: [], logger: SandboxFixture.quiet))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: T
            do {
                result = try await body(connector.liveAgent!, connector)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }

    func finish() async {
        try? await transport.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A handoff's events in the log: (type, entry id, payload).
    func events(_ handoffId: String) async throws -> [(type: String, entryId: String, payload: String)] {
        try await store.events(after: 0, subject: handoffId, limit: 10_000).map { event in
            let json = try JSONParser.parse(event.payload)
            return (event.type, json["entryId"]?.stringValue ?? "", event.payload)
        }
    }

    /// Waits until the handoff's events satisfy `condition`.
    func waitForEvents(_ handoffId: String, _ what: String, timeout: Duration = .seconds(30),
                       _ condition: ([(type: String, entryId: String, payload: String)]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if condition(try await events(handoffId)) { return }
            guard ContinuousClock.now < deadline else {
                let seen = try await events(handoffId).map(\.type).joined(separator: ", ")
                throw TimedOut(description: "timed out waiting for \(what); events: \(seen)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until `condition` holds.
    static func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct TimedOut: Error, CustomStringConvertible { let description: String }
}
