import ConnectorKit
import ConnectorKitTesting
import Foundation
import Logging
import ModuleProtocol
import ServiceLifecycleTestKit
import Testing
@testable import SwitchboardHost
#if canImport(Glibc)
import Glibc
#endif

/// External modules as real child processes (python3): the handshake, syncs into the store, the
/// conformance kit, and every way a child can misbehave — each leaves the host working and no
/// process behind.
@Suite("External modules over the stdio protocol", .serialized)
struct ExternalModuleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let scripted = root + "/Tests/SwitchboardHostTests/Fixtures/scripted_module.py"
    static let folder = root + "/Examples/modules/folder_module.py"
    static let logs = LogCapture()
    static let logger = logs.makeLogger(label: "switchboard")
    /// One transport for the suite, kept for the process's life (an HTTP client must be shut down
    /// before it is released; this one never is released).
    static let transport = HTTPTransport(logger: logger)

    static func declaration(_ script: String, name: String, callTimeout: Duration = .seconds(5)) -> ExternalModuleDeclaration {
        ExternalModuleDeclaration(name: name, command: "python3", arguments: [script], workingDirectory: root, callTimeout: callTimeout,
                                  syncTimeout: callTimeout)
    }

    /// A connector of the scripted module with `behavior`, on `store`.
    static func connector(_ behavior: String, store: RecordingStore, marker: String = "/tmp/none", callTimeout: Duration = .seconds(5),
                          environment: [String: String] = [:]) async throws -> ExternalConnector {
        let module = try await ExternalModule.describe(declaration(scripted, name: "scripted", callTimeout: callTimeout), logger: logger)
        let configuration = try ConnectorDeclarations.read("""
            s:
              module: scripted
              features: [user-ingestion\(behavior == "agent" ? ", live-agent" : "")]
              behavior: \(behavior)
              marker: \(marker)
              token: env:SCRIPTED_TOKEN
              label: env:HOME
            """, modules: [module], environment: environment)[0]
        let vault = CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/", environment: environment), redactor: SecretRedactor())
        let context = ConnectorContext(connectorName: "s", vault: vault, http: transport, store: store, sink: store, events: store,
                                       handoffs: store, logger: logger)
        return try #require(try module.makeConnector(configuration: configuration, context: context) as? ExternalConnector)
    }

    static func userSync(_ connector: ExternalConnector) async throws -> SyncReport {
        try await #require(connector.syncs.first).run(.incremental) { _ in }
    }

    /// Whether a process id is gone (reaped: a zombie would still answer kill 0).
    static func gone(_ pid: Int32) -> Bool { kill(pid, 0) != 0 && errno == ESRCH }

    @Test func theHandshakeDescribesTheModule() async throws {
        let module = try await ExternalModule.describe(Self.declaration(Self.folder, name: "folder"), logger: Self.logger)
        #expect(module.features == [.userIngestion, .knowledge])
        #expect(module.settings.field(named: "people")?.type == .path(mustExist: true) && module.settings.field(named: "people")?.feature == .userIngestion)
        #expect(module.settings.field(named: "language")?.defaultValue == .string("en_US"))
        let wrongName = await #expect(throws: ExternalModuleFailure.self) {
            try await ExternalModule.describe(Self.declaration(Self.folder, name: "files"), logger: Self.logger)
        }
        #expect(wrongName?.reason.contains("reports the name 'folder'") == true)
        await #expect(throws: ExternalModuleFailure.self) {
            try await ExternalModule.describe(ExternalModuleDeclaration(name: "x", command: "no-such-command-here", workingDirectory: Self.root), logger: Self.logger)
        }
    }

    @Test func thePythonExamplePassesTheConformanceKit() async throws {
        let folder = NSTemporaryDirectory() + "folder-module-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/people", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/docs", withIntermediateDirectories: true)
        try "id,email,first_name,last_name\ne1,ada@acme.example,Ada,Lovelace\ne2,alan@acme.example,Alan,Turing\n"
            .write(toFile: folder + "/people/a.csv", atomically: true, encoding: .utf8)
        try "[{\"id\":\"e3\",\"email\":\"grace@acme.example\",\"first_name\":\"Grace\",\"last_name\":\"Hopper\",\"title\":\"Admiral\"}]"
            .write(toFile: folder + "/people/b.json", atomically: true, encoding: .utf8)
        try "# VPN setup\n\nInstall the client, then sign in with your badge.\n".write(toFile: folder + "/docs/vpn.md", atomically: true, encoding: .utf8)
        let module = try await ExternalModule.describe(Self.declaration(Self.folder, name: "folder"), logger: Self.logger)
        var options = ConnectorConformance.Options()
        options.baseDirectory = folder
        let report = try await ConnectorConformance.check(module, config: "hr:\n  module: folder\n  features: [user-ingestion, knowledge]\n  people: people\n  documents: docs\n",
                                                          options: options)
        #expect(report.results(for: .checkpointAfterWrite).count == 2, "\(report)")
        #expect(report.results(for: .rerunChangesNothing).allSatisfy { if case .passed = $0.outcome { true } else { false } }, "\(report)")
    }

    /// The Python example honours `$/cancelRequest`: a sync the host abandons stops at the module's
    /// next call to the host, with what it committed kept and nothing after.
    @Test func thePythonExampleStopsASyncTheHostAbandons() async throws {
        let folder = NSTemporaryDirectory() + "folder-cancel-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/docs", withIntermediateDirectories: true)
        for index in 1...4000 { try "# Note \(index)\n\nText \(index).\n".write(toFile: folder + "/docs/n\(index).md", atomically: false, encoding: .utf8) }
        let module = try await ExternalModule.describe(Self.declaration(Self.folder, name: "folder"), logger: Self.logger)
        let configuration = try ConnectorDeclarations.read("kb:\n  module: folder\n  features: [knowledge]\n  documents: docs\n", modules: [module],
                                                           baseDirectory: folder)[0]
        let store = RecordingStore()
        let context = ConnectorContext(connectorName: "kb", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: folder)),
                                       http: Self.transport, store: store, sink: store, events: store, handoffs: store, logger: Self.logger)
        let connector = try #require(try module.makeConnector(configuration: configuration, context: context) as? ExternalConnector)
        let sync = try #require(connector.syncs.first)
        let call = Task { try await sync.run(.full) { _ in } }
        try await RuntimeHarness.eventually("the sync committed", timeout: .seconds(20)) { (store.records(connector: "kb")["articles"]?.count ?? 0) >= 10 }
        call.cancel()
        _ = await call.result
        try await RuntimeHarness.eventually("the module stopped its sync", timeout: .seconds(10)) {
            Self.logs.text.contains("sync.run cancelled by the host")
        }
        let kept = store.records(connector: "kb")["articles"]?.count ?? 0
        try await Task.sleep(for: .milliseconds(300))
        #expect(store.records(connector: "kb")["articles"]?.count == kept && kept < 4000, "nothing committed after the cancellation (\(kept))")
        #expect(await connector.check().status == .healthy, "the child serves the next call")
        await connector.session.stop(grace: .seconds(2))
    }

    /// A module's stderr line names its level first (the Swift SDK writes them so); others are info.
    @Test func moduleLogLinesKeepTheirLevel() {
        #expect(ModuleSession.level(of: "warning disk full on /srv") == (.warning, "disk full on /srv"))
        #expect(ModuleSession.level(of: "Traceback (most recent call last):") == (.info, "Traceback (most recent call last):"))
        #expect(ModuleSession.level(of: "error") == (.info, "error"))
    }

    @Test func aChildThatCrashesMidSyncResumesFromItsCheckpoint() async throws {
        let marker = NSTemporaryDirectory() + "crashed-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let store = RecordingStore()
        let connector = try await Self.connector("crash-mid-sync", store: store, marker: marker)
        let failure = await #expect(throws: ConnectorError.self) { try await Self.userSync(connector) }
        #expect(failure?.code == .unavailable)
        #expect(store.commits.count == 2, "two batches were committed before the crash")
        let resumed = try await Self.userSync(connector)
        #expect(resumed.upserted == 2, "only the third batch is read again")
        #expect(store.records(connector: "s")["users"]?.count == 6)
        #expect(store.commits.flatMap(\.upserts).count == 6, "nothing written twice")
    }

    @Test func aChildThatHangsIsKilledAndTheCallFails() async throws {
        let connector = try await Self.connector("hang", store: RecordingStore(), callTimeout: .seconds(1))
        let started = ContinuousClock.now
        let failure = await #expect(throws: ConnectorError.self) { try await Self.userSync(connector) }
        #expect(failure?.code == .unavailable && failure?.message.contains("did not answer sync.run") == true, "\(String(describing: failure))")
        #expect(ContinuousClock.now - started < .seconds(10))
        // The next call gets a new child, which answers.
        #expect(await connector.check().status == .healthy)
    }

    @Test func garbageAndHugeLinesBreakOnlyTheirChild() async throws {
        for behavior in ["garbage", "huge-line"] {
            let connector = try await Self.connector(behavior, store: RecordingStore())
            let failure = await #expect(throws: ConnectorError.self) { try await Self.userSync(connector) }
            #expect(failure?.code == .unavailable)
            let text = failure?.message ?? ""
            #expect(behavior == "garbage" ? text.contains("malformed line") : text.contains("longer than 8388608 bytes"), "\(text)")
            #expect(await connector.check().status == .healthy, "a new child works")
        }
    }

    @Test func onlyTheConfiguredSecretResolves() async throws {
        let connector = try await Self.connector("ask-secrets", store: RecordingStore(), environment: ["SCRIPTED_TOKEN": "tok-123", "HOME": "/root"])
        let result = try await connector.call("sync.run", .object([("feature", .string("user-ingestion")), ("mode", .string("incremental"))]))
        #expect(result["own"]?.stringValue == "tok-123", "its own secret setting resolves")
        #expect(result["other"]?.stringValue == "unauthorized", "a reference in a field not marked secret is refused")
        #expect(Self.logs.text.contains("refused an external module's request for a secret it was not configured with"))
    }

    @Test func aLiveAgentHandoffIsStoredByTheHostAndRelayedOnce() async throws {
        let store = RecordingStore()
        let connector = try await Self.connector("agent", store: store)
        let liveAgent = try #require(connector.liveAgent)
        let handoff = try await liveAgent.startHandoff(HandoffRequest(employeeId: "emp-1", email: "ada@acme.example", topic: "Access"))
        #expect(handoff.conversationId == "conv-\(handoff.id)" && handoff.id.hasPrefix("ho_"))
        try await liveAgent.sendMessage(handoffId: handoff.id, text: "hello")
        // The module tells of the agent joining after it answered start: that event may still be on its way.
        func relayed() -> [HandoffEvent] {
            store.events.compactMap { entry -> HandoffEvent? in if case .handoff(let event) = entry.event.payload { event } else { nil } }
        }
        try await RuntimeHarness.eventually("both entries relayed", timeout: .seconds(10)) { relayed().count >= 2 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(Set(relayed().map(\.kind)) == [.agentJoined(displayName: "Sam"), .agentMessage(text: "echo: hello", senderDisplayName: "Sam")]
                && relayed().count == 2, "the repeated entry is relayed once: \(relayed())")
        #expect(try await store.handoff(id: handoff.id)?.status == .active, "agent_joined moved the stored status")
        try await liveAgent.endHandoff(handoffId: handoff.id)
        #expect(try await store.handoff(id: handoff.id)?.status == .ended)
        // A module cannot speak for a handoff that is not its connector's.
        let services = ModuleHostServices(module: "scripted", configuration: connector.configuration, schema: connector.module.settings, context: connector.context)
        let foreign = await #expect(throws: RPCError.self) {
            _ = try await services.handle("handoff.event", .object([("handoffId", .string("ho_someone_else")), ("entryId", .string("x")),
                                                                    ("kind", .string("closed"))]))
        }
        #expect(foreign?.connectorError.code == .notFound)
    }

    /// A child that dies ends its connector's run(); the host's supervisor restarts it with the same
    /// backoff as a built-in connector, while the other connectors keep running.
    @Test func aDyingChildIsRestartedBySupervisorWhileOthersRun() async throws {
        let module = try await ExternalModule.describe(Self.declaration(Self.scripted, name: "scripted"), logger: Self.logger)
        let probe = ProbeModule.Probe()
        let registry = ModuleRegistry([ProbeModule(probe: probe), module])
        let directory = NSTemporaryDirectory() + "external-supervision-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try RuntimeHarness.probeConfiguration(
            [("steady", "steady", ["ticketing"])], registry: registry,
            extra: "  dying:\n    module: scripted\n    features: [user-ingestion]\n    behavior: exit-after-start\n",
            directory: directory)
        let lines = CapturedLines()
        let runtime = try HostRuntime(configuration: configuration, registry: registry, logger: RuntimeHarness.logger(lines, redactor: SecretRedactor()))
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run(signals: []) }
                try await RuntimeHarness.eventually("the dying connector restarted twice", timeout: .seconds(30)) {
                    (runtime.board.snapshot.first { $0.name == "dying" }?.restarts ?? 0) >= 2
                }
                #expect(runtime.board.snapshot.first { $0.name == "steady" }?.state == .running, "the other connector is untouched")
                #expect(probe.starts("steady") == 1)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(lines.text.contains("the module closed its output"), "the log says why")
    }

    @Test func shutdownEscalatesToSIGKILLAndLeavesNoProcess() async throws {
        let connector = try await Self.connector("ignore-shutdown", store: RecordingStore())
        let pid = try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await connector.run() }
                var pid: Int32?
                for _ in 0..<100 where pid == nil {
                    try await Task.sleep(for: .milliseconds(50))
                    pid = try? await connector.session.peer().child.pid
                }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
                return try #require(pid)
            }
        }
        #expect(Self.gone(pid), "the child was killed and reaped")
    }

    /// The built Swift example module (Examples/swift-module), next to the test bundle.
    static var swiftModule: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("example-swift-module").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return root + "/.build/debug/example-swift-module"
    }

    /// The same `ConnectorModule` API, served from its own process by ModuleServer: the kit passes, its
    /// secret resolves through the host, and the host signs for it with a key the module never sees.
    @Test func aSwiftModuleServedOverTheProtocolPassesTheKitAndUsesTheHostsVaultAndSigner() async throws {
        let folder = NSTemporaryDirectory() + "swift-module-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (1...1200).map { "r\($0),r\($0)@acme.example,R\($0),S\($0)" }.joined(separator: "\n").write(toFile: folder + "/users.csv", atomically: true, encoding: .utf8)
        let key = try KeyGenerator.generate(bits: 2048, keyID: "roster-1", subject: "CN=roster", days: 30)
        try key.privateKeyPEM.revealedString().write(toFile: folder + "/key.pem", atomically: true, encoding: .utf8)
        let declaration = ExternalModuleDeclaration(name: "roster", command: Self.swiftModule, workingDirectory: folder)
        let module = try await ExternalModule.describe(declaration, logger: Self.logger)
        #expect(module.features == [.userIngestion, .liveAgent] && module.settings.field(named: "api_token")?.type == .secret)
        let config = "people:\n  module: roster\n  features: [user-ingestion]\n  file: users.csv\n  api_token: env:ROSTER_TOKEN\n  signing_key: file:key.pem\n"
        var options = ConnectorConformance.Options()
        options.baseDirectory = folder
        let report = try await ConnectorConformance.check(module, config: config, options: options)
        #expect(report.results(for: .checkpointAfterWrite).first.map { if case .passed = $0.outcome { true } else { false } } == true, "\(report)")
        #expect(report.results(for: .secretsStayHidden).first.map { if case .passed = $0.outcome { true } else { false } } == true, "\(report)")

        let store = RecordingStore()
        let configuration = try ConnectorDeclarations.read(config, modules: [module], baseDirectory: folder)[0]
        let vault = CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: folder, environment: ["ROSTER_TOKEN": "token-of-17-bytes"]),
                                    redactor: SecretRedactor())
        let context = ConnectorContext(connectorName: "people", vault: vault, http: Self.transport, store: store, sink: store, events: store,
                                       users: store, handoffs: store, logger: Self.logger)
        let connector = try #require(try module.makeConnector(configuration: configuration, context: context) as? ExternalConnector)
        let checks = await connector.check().checks
        #expect(checks.first { $0.name == "token" }?.detail == "resolved through the host (17 bytes)", "\(checks)")
        let signed = try #require(checks.first { $0.name == "signing" }?.detail.split(separator: " ").last.map(String.init))
        let parts = signed.split(separator: ".")
        #expect(parts.count == 3 && String(decoding: Base64URL.decode(String(parts[0])) ?? [], as: UTF8.self) == #"{"alg":"RS256","typ":"JWT","kid":"roster-1"}"#)
        // A private key is never handed out, even from a secret field the module's schema marks.
        let services = ModuleHostServices(module: "roster", configuration: configuration, schema: module.settings, context: context)
        #expect(try await services.handle("secrets.resolve", .object([("reference", .string("env:ROSTER_TOKEN"))]))["value"]?.stringValue == "token-of-17-bytes")
        let keyRefused = await #expect(throws: RPCError.self) {
            _ = try await services.handle("secrets.resolve", .object([("reference", .string("file:key.pem"))]))
        }
        #expect(keyRefused?.connectorError.code == .unauthorized && keyRefused?.message.contains("stays in the host") == true)
        #expect(try await #require(connector.syncs.first).run(.full) { _ in }.upserted == 1200)
        #expect(store.records(connector: "people")["users"]?.count == 1200)
        await connector.session.stop(grace: .seconds(2))

        // Its echo agent, across the boundary: the module's handoff ids become the host's.
        let agentConfiguration = try ConnectorDeclarations.read(config.replacingOccurrences(of: "[user-ingestion]", with: "[user-ingestion, live-agent]"),
                                                                modules: [module], baseDirectory: folder)[0]
        let agent = try #require(try module.makeConnector(configuration: agentConfiguration, context: context) as? ExternalConnector)
        let liveAgent = try #require(agent.liveAgent)
        let handoff = try await liveAgent.startHandoff(HandoffRequest(employeeId: "emp-7", email: "R5@acme.example"))
        #expect(handoff.conversationId == "conversation-emp-7")
        try await liveAgent.sendMessage(handoffId: handoff.id, text: "hi")
        try await liveAgent.endHandoff(handoffId: handoff.id)
        var relayed: [HandoffEvent] = []
        for _ in 0..<100 {
            relayed = store.events.compactMap { entry -> HandoffEvent? in if case .handoff(let event) = entry.event.payload { event } else { nil } }
            if relayed.count >= 3 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(relayed.map(\.handoffId) == [handoff.id, handoff.id, handoff.id], "the host's id on every event: \(relayed)")
        #expect(relayed.map(\.kind) == [.agentJoined(displayName: "Echo for R5"), .agentMessage(text: "echo: hi", senderDisplayName: "Echo"), .closed(reason: nil)],
                "the module found the synced user through users.find")
        #expect(try await store.handoff(id: handoff.id)?.status == .ended)
        await agent.session.stop(grace: .seconds(2))

        // A call the host abandons is cancelled in the module too ($/cancelRequest).
        let slowConfiguration = try ConnectorDeclarations.read(config + "  delay: 60s\n", modules: [module], baseDirectory: folder)[0]
        let slow = try #require(try module.makeConnector(configuration: slowConfiguration, context: context) as? ExternalConnector)
        _ = await slow.check()  // the child is up
        let sync = try #require(slow.syncs.first)
        let call = Task { try await sync.run(.incremental) { _ in } }
        try await Task.sleep(for: .milliseconds(300))
        call.cancel()
        _ = await call.result
        try await RuntimeHarness.eventually("the module cancelled its sync", timeout: .seconds(10)) {
            Self.logs.text.contains("roster sync cancelled before it read anything")
        }
        await slow.session.stop(grace: .seconds(2))
    }
}
