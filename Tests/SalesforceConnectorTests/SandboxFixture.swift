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
                     username: String = SeedData.integrationUsername, audience: String? = nil,
                     clock: ConnectorClock = .system) throws -> SalesforceJWTBearerAuth {
        let vault = CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/",
                                                         environment: ["SF_TEST_KEY": try key.privateKeyPEM.revealedString()]))
        return SalesforceJWTBearerAuth(
            credentials: .init(consumerKey: consumerKey, username: username, loginURL: baseURL, audience: audience,
                               privateKey: SecretReference(.env, "SF_TEST_KEY")),
            signer: JWTSigner(vault: vault, clock: clock), http: transport, connector: "test-sf")
    }
}
