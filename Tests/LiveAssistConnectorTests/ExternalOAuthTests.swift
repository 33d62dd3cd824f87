import ConnectorKit
import ConnectorKitTesting
import Foundation
import Logging
import SalesforceSandbox
import SwitchboardHost
import Testing

/// An external module's request authorised by the host (`"oauth"` on `http.request`): the host gets
/// a client-credentials token from the sandbox's Dynamics identity endpoint with the secret the
/// connector names — the module sees neither the secret nor the token — and the API answers 200.
@Suite("External module requests with host-held OAuth tokens")
struct ExternalOAuthTests {
    static let scripted = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SwitchboardHostTests/Fixtures/scripted_module.py").path

    @Test func theHostAuthorisesTheModulesRequest() async throws {
        var configuration = SandboxConfiguration()
        configuration.seed = SeedData(seed: 3, contacts: 3)
        configuration.messaging.script = nil
        try await SalesforceSandbox.withRunning(configuration: configuration) { sandbox in
            let base = await sandbox.baseURL()
            let logs = LogCapture()
            let logger = logs.makeLogger(label: "switchboard")
            let module = try await ExternalModule.describe(
                ExternalModuleDeclaration(name: "scripted", command: "python3", arguments: [Self.scripted], workingDirectory: "/tmp"), logger: logger)
            let environment = ["CLIENT_SECRET": DynamicsConfiguration().clientSecret]
            let connectorConfiguration = try ConnectorDeclarations.read("""
                s:
                  module: scripted
                  features: [user-ingestion]
                  behavior: oauth
                  token: env:CLIENT_SECRET
                  label_url: "\(base)"
                  client_id: \(DynamicsConfiguration().clientId)
                """, modules: [module], environment: environment)[0]
            let store = RecordingStore()
            let http = HTTPTransport(logger: logger)
            let context = ConnectorContext(
                connectorName: "s", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/", environment: environment)),
                http: http, store: store, sink: store, events: store, handoffs: store, logger: logger)
            let connector = try module.makeConnector(configuration: connectorConfiguration, context: context)
            let sync = try #require(connector.syncs.first)
            do {
                _ = try await sync.run(.incremental) { _ in }
            } catch {
                try? await http.shutdown()
                throw error
            }
            let stats = sandbox.dynamics.stats
            #expect(stats.tokenRequests == 1 && stats.lookups == 1, "the host fetched one token and the authorised API call was served: \(stats)")
            #expect(!logs.text.contains(DynamicsConfiguration().clientSecret))
            try await http.shutdown()
        }
    }
}
