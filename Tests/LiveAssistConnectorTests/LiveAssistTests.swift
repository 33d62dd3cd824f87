import ConnectorKit
import ConnectorKitTesting
import Foundation
@testable import LiveAssistConnector
import Logging
import SalesforceSandbox
import SwitchboardHost
import Testing

/// Live Assist for Dynamics 365 against the sandbox's Dynamics org: client-credentials token
/// (cached), contact lookup by e-mail with OData escaping, 429 + Retry-After, and the chat token —
/// its claims and their JSON types checked by decoding, its signature verified by `openssl`.
@Suite("Live Assist for Dynamics 365 against the sandbox", .serialized)
struct LiveAssistTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    static let key = try! KeyGenerator.generate(bits: 2048, keyID: "la-1", subject: "CN=live-assist-test", days: 30)

    struct Rig: Sendable {
        let sandbox: SalesforceSandbox
        let connector: LiveAssistConnection
        let transport: HTTPTransport
    }

    static func withRig(secret: String = DynamicsConfiguration().clientSecret, canReadContacts: Bool = true,
                        _ body: @Sendable (Rig) async throws -> Void) async throws {
        var configuration = SandboxConfiguration()
        configuration.dynamics.canReadContacts = canReadContacts
        configuration.seed = SeedData(seed: 3, contacts: 20)
        configuration.messaging.script = nil
        try await SalesforceSandbox.withRunning(configuration: configuration) { sandbox in
            let base = await sandbox.baseURL()
            let yaml = """
                version: 1
                connectors:
                  assist:
                    module: dynamics-live-assist
                    features: [live-agent]
                    dynamics: { url: "\(base)", authority: "\(base)", tenant: sandbox-tenant, client_id: \(DynamicsConfiguration().clientId), client_secret: env:D365_SECRET }
                    live-agent: { issuer: support.acme.example, private_key: env:LA_KEY, token_lifetime: 15m }
                """
            let environment = ["D365_SECRET": secret, "LA_KEY": try Self.key.privateKeyPEM.revealedString()]
            let loaded = try ConfigLoader(registry: ModuleRegistry([LiveAssistModule()]), environment: environment)
                .load(text: yaml, file: "connectors.yaml", baseDirectory: NSTemporaryDirectory())
            let vault = CredentialVault(configuration: loaded.vault)
            vault.registerEnvironmentSecrets(loaded.secretReferences)
            var transportConfiguration = HTTPTransport.Configuration()
            transportConfiguration.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))
            let transport = HTTPTransport(configuration: transportConfiguration, logger: Self.quiet)
            let store = MemoryStore()
            let context = ConnectorContext(connectorName: "assist", vault: vault, http: transport, store: store, sink: store, events: store, handoffs: store, logger: Self.quiet)
            let connector = try LiveAssistModule().makeConnector(configuration: loaded.connectors[0], context: context) as! LiveAssistConnection
            do {
                try await body(Rig(sandbox: sandbox, connector: connector, transport: transport))
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    static func decode(_ part: Substring) throws -> JSONValue { try JSONParser.parse(try #require(Base64URL.decode(String(part)))) }

    @Test func tokenClaimsTypesAndSignatureCheckedWithOpenSSL() async throws {
        try await Self.withRig { rig in
            let contact = rig.sandbox.dynamics.contacts[4]
            let before = Date()
            let handoff = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-5", email: contact.emailaddress1.uppercased()))
            let token = try handoff.token.revealedString()
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count == 3)
            let header = try Self.decode(parts[0]), claims = try Self.decode(parts[1])
            #expect(header["alg"] == .string("RS256") && header["typ"] == .string("JWT") && header["kid"] == nil, "RS256, no kid")
            #expect(claims["sub"] == .string(contact.contactid) && contact.contactid == contact.contactid.lowercased())
            #expect(claims["given_name"] == .string(contact.firstname) && claims["family_name"] == .string(contact.lastname))
            #expect(claims["iss"] == .string("support.acme.example") && claims["aud"] == nil)
            guard case .integer(let iat)? = claims["iat"], case .integer(let exp)? = claims["exp"] else {
                Issue.record("iat and exp must be JSON integers: \(claims)")
                return
            }
            #expect(exp - iat == 900 && abs(Double(iat) - before.timeIntervalSince1970) < 5)
            #expect(handoff.expiresAt == Date(timeIntervalSince1970: Double(exp)) && handoff.conversationId == contact.contactid)

            let directory = NSTemporaryDirectory() + "live-assist-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let publicKey = try RSAPublicKey(privateKeyPEM: Self.key.privateKeyPEM).pem()
            let signature = try #require(Base64URL.decode(String(parts[2])))
            #expect(try await OpenSSLCLI.verifies(signature: Array(signature), message: Array("\(parts[0]).\(parts[1])".utf8), publicKeyPEM: publicKey, in: directory))
            #expect(try await !OpenSSLCLI.verifies(signature: Array(signature), message: Array("\(parts[0]).\(parts[1])x".utf8), publicKeyPEM: publicKey, in: directory))
        }
    }

    @Test func odataEscapingFindsAnEmailWithAQuote() async throws {
        #expect(DynamicsClient.odataString("dana.o'brien@acme.example") == "'dana.o''brien@acme.example'")
        #expect(DynamicsClient.queryEscape("emailaddress1 eq 'a+b'") == "emailaddress1%20eq%20%27a%2Bb%27")
        try await Self.withRig { rig in
            let handoff = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-1", email: "dana.o'brien@acme.example"))
            let claims = try Self.decode(try handoff.token.revealedString().split(separator: ".")[1])
            let obrien = try #require(rig.sandbox.dynamics.contacts.first { $0.lastname == "O'Brien" })
            #expect(claims["sub"] == .string(obrien.contactid) && claims["family_name"] == .string("O'Brien"))
        }
    }

    @Test func unknownAndAmbiguousEmailsGetNoToken() async throws {
        try await Self.withRig { rig in
            let unknown = await #expect(throws: ConnectorError.self) {
                _ = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-1", email: "nobody@acme.example"))
            }
            #expect(unknown?.code == .notFound && unknown?.message.contains("nobody@acme.example") == true)
            let shared = await #expect(throws: ConnectorError.self) {
                _ = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-1", email: "frontdesk@acme.example"))
            }
            #expect(shared?.code == .conflict)
            let missing = await #expect(throws: ConnectorError.self) { _ = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-1")) }
            #expect(missing?.code == .invalidRequest)
        }
    }

    @Test func tokenIsCachedAndA429IsWaitedOut() async throws {
        try await Self.withRig { rig in
            let email = rig.sandbox.dynamics.contacts[0].emailaddress1
            _ = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-1", email: email))
            rig.sandbox.faults.add(FaultRule(path: "/api/data/v9.2/contacts", status: 429, retryAfter: "1", times: 1,
                                             body: #"{"error":{"code":"0x80072321","message":"Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds."}}"#))
            let started = ContinuousClock.now
            _ = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-1", email: email))
            #expect(ContinuousClock.now - started >= .seconds(1), "Retry-After honoured")
            #expect(rig.sandbox.dynamics.stats.tokenRequests == 1, "one client-credentials token for every lookup")
            #expect(rig.sandbox.dynamics.stats.lookups == 2)
            // An expired token: the 401 leads to one new token, then the lookup succeeds.
            rig.sandbox.dynamics.expireAllTokens()
            _ = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-1", email: email))
            #expect(rig.sandbox.dynamics.stats.tokenRequests == 2)
        }
    }

    @Test func aWrongClientSecretSaysWhatToFix() async throws {
        try await Self.withRig(secret: "not-the-secret") { rig in
            let error = await #expect(throws: ConnectorError.self) {
                _ = try await rig.connector.issueChatToken(for: HandoffRequest(employeeId: "emp-1", email: rig.sandbox.dynamics.contacts[0].emailaddress1))
            }
            #expect(error?.code == .unauthorized && error?.message.contains("dynamics.client_secret") == true && error?.message.contains("AADSTS7000215") == true)
            #expect(error?.message.contains("not-the-secret") == false, "the secret never appears")
            #expect(await rig.connector.check().status == .unhealthy)
        }
    }

    /// `switchboard doctor`: green as set up; a wrong secret and a missing security role each named with the fix.
    @Test func doctorNamesEachMissingStep() async throws {
        try await Self.withRig { rig in
            let checks = await rig.connector.diagnose()
            #expect(checks.allSatisfy { $0.outcome == .passed }, "\(checks.map(\.line))")
        }
        try await Self.withRig(secret: "not-the-secret") { rig in
            let checks = await rig.connector.diagnose()
            #expect(checks.map(\.outcome) == [.failed, .skipped, .passed], "\(checks.map(\.line))")
            #expect(checks[0].fix?.contains("client_secret") == true && !checks.map(\.line).joined().contains("not-the-secret"))
        }
        try await Self.withRig(canReadContacts: false) { rig in
            let checks = await rig.connector.diagnose()
            #expect(checks.filter { $0.outcome == .failed }.map(\.id) == ["dynamics.contacts"], "\(checks.map(\.line))")
            #expect(checks.first { $0.id == "dynamics.contacts" }?.fix?.contains("security role that reads Contact") == true)
        }
    }
}
