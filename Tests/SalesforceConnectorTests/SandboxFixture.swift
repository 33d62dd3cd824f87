import ConnectorKit
import Foundation
import Logging
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost

/// Keys made once per test process (RSA generation is slow in debug builds), and helpers that
/// wire the real signer, transport and bearer flow to a running sandbox.
enum SandboxFixture {
    static let consumerKey = "3MVG9SandboxConsumerKey"
    static let key = try! KeyGenerator.generate(bits: 2048, keyID: "test-1", subject: "CN=switchboard-test", days: 365)
    static let otherKey = try! KeyGenerator.generate(bits: 2048, keyID: "other-1", subject: "CN=someone-else", days: 365)
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A sandbox configuration with the fixture's connected app registered.
    static func configuration(tokenLifetime: Duration = .seconds(7200), contacts: Int = 250, cases: Int = 40) -> SandboxConfiguration {
        var configuration = SandboxConfiguration()
        configuration.connectedApps = [ConnectedApp(consumerKey: consumerKey, certificate: key.certificatePEM)]
        configuration.tokenLifetime = tokenLifetime
        configuration.seed = SeedData(seed: 7, contacts: contacts, cases: cases)
        // The fixture org has the custom fields the sync tests read (a stock org has none).
        configuration.customFields = [CustomField(object: "Contact", name: "Employee_Id__c"),
                                      CustomField(object: "Knowledge__kav", name: "Body__c", type: .textarea)]
        return configuration
    }

    static func transport(maxAttempts: Int = 4, attemptTimeout: Duration = .seconds(10)) -> HTTPTransport {
        var configuration = HTTPTransport.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))
        configuration.attemptTimeout = attemptTimeout
        configuration.connectTimeout = .seconds(2)
        return HTTPTransport(configuration: configuration, logger: quiet)
    }

    /// The bearer flow against the sandbox, signing with `key` (the registered one by default).
    static func auth(_ baseURL: String, transport: HTTPTransport, key: GeneratedKey = SandboxFixture.key, consumerKey: String = consumerKey,
                     username: String = SeedData.integrationUsername, audience: String = SalesforceAudience.production,
                     clock: ConnectorClock = .system) throws -> SalesforceJWTBearerAuth {
        let vault = CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/",
                                                         environment: ["SF_TEST_KEY": try key.privateKeyPEM.revealedString()]))
        return SalesforceJWTBearerAuth(
            credentials: .init(consumerKey: consumerKey, username: username, loginURL: baseURL, audience: audience,
                               privateKey: SecretReference(.env, "SF_TEST_KEY")),
            signer: JWTSigner(vault: vault, clock: clock), http: transport, connector: "test-sf")
    }
}

/// A `salesforce` connector as the host builds it from connectors.yaml, against a running sandbox,
/// over a real SQLite store in a temporary folder.
struct ModuleRig: Sendable {
    let sandbox: SalesforceSandbox
    let connector: any Connector
    let store: SQLiteStore
    let transport: HTTPTransport

    /// Runs `body` with a connector named `acme` enabling `features`; `sections` are extra YAML lines
    /// of the connector (indented four spaces).
    static func with(contacts: Int, features: String, sections: String = "", maxAttempts: Int = 2,
                     org adjust: @Sendable (inout SandboxConfiguration) -> Void = { _ in },
                     _ body: @Sendable (ModuleRig) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "switchboard-module-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try SandboxFixture.key.privateKeyPEM.revealedString().write(toFile: directory + "/sf.pem", atomically: false, encoding: .utf8)
        var sandboxConfiguration = SandboxFixture.configuration(contacts: contacts)
        adjust(&sandboxConfiguration)
        try await SalesforceSandbox.withRunning(configuration: sandboxConfiguration) { sandbox in
            let yaml = """
                version: 1
                connectors:
                  acme:
                    module: salesforce
                    features: [\(features)]
                    org: { login_url: "\(await sandbox.baseURL())" }
                    auth: { consumer_key: \(SandboxFixture.consumerKey), username: \(SeedData.integrationUsername), private_key: file:sf.pem }
                \(sections)
                """
            let configuration = try ConfigLoader(registry: ModuleRegistry([SalesforceModule()])).load(text: yaml, file: "connectors.yaml", baseDirectory: directory)
            let store = try SQLiteStore(path: directory + "/state.db")
            let transport = SandboxFixture.transport(maxAttempts: maxAttempts)
            let context = ConnectorContext(connectorName: "acme", vault: CredentialVault(configuration: configuration.vault), http: transport,
                                           store: store, sink: store, events: store, users: store, handoffs: store, logger: SandboxFixture.quiet)
            let connector = try SalesforceModule().makeConnector(configuration: configuration.connectors[0], context: context)
            do {
                try await body(ModuleRig(sandbox: sandbox, connector: connector, store: store, transport: transport))
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }
}
