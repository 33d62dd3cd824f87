import ConnectorKit
import ConnectorKitTesting
import Foundation
import ServiceLifecycleTestKit
import Testing
@testable import SwitchboardHost

/// A run at trace level with secret canaries in the environment, a file and the vault, whose
/// connectors log those secrets in every careless way: no canary may reach a log line.
@Suite("No secret in any log line at trace level")
struct LogRedactionTests {
    @Test(arguments: [LogFormat.text, .json])
    func canariesNeverReachTheLog(format: LogFormat) async throws {
        let canaries = SecretCanaries(count: 4, tag: "log")
        let directory = NSTemporaryDirectory() + "switchboard-logs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let masterKey = MasterKey.generate()
        let vault = VaultFile(path: directory + "/vault.json")
        try vault.create(masterKey: masterKey)
        try vault.set("jwt-key", to: Secret("-----BEGIN PRIVATE KEY-----\n\(canaries.values[2])\n-----END PRIVATE KEY-----"), masterKey: masterKey)
        try canaries.values[1].write(toFile: directory + "/token.txt", atomically: false, encoding: .utf8)
        let masterKeyText = try masterKey.encoded.revealedString()
        let environment = ["ENV_TOKEN": canaries.values[0], "MK": masterKeyText, "API_TOKEN": canaries.values[3]]

        let probe = ProbeModule.Probe()
        let registry = ModuleRegistry([ProbeModule(probe: probe)])
        let text = """
            version: 1
            host:
              api_token: ${API_TOKEN}
              shutdown_timeout: 5s
            vault:
              path: vault.json
              master_key: env:MK
            connectors:
              from-env:   { module: probe, features: [ticketing], token: env:ENV_TOKEN }
              from-file:  { module: probe, features: [ticketing], token: file:token.txt }
              from-vault: { module: probe, features: [ticketing], token: vault:jwt-key }
              crashing:   { module: probe, features: [ticketing], token: env:ENV_TOKEN, behavior: crash, crash_after: 10ms }
            """
        let configuration = try ConfigLoader(registry: registry, environment: environment)
            .load(text: text, file: "connectors.yaml", baseDirectory: directory)
        let lines = CapturedLines()
        let redactor = SecretRedactor()
        let runtime = try HostRuntime(
            configuration: configuration, registry: registry, logger: RuntimeHarness.logger(lines, format: format, redactor: redactor),
            backoff: RestartBackoff(initial: .milliseconds(20), maximum: .milliseconds(40), jitter: 0), redactor: redactor)
        _ = try runtime.resolveAPIToken()
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run(signals: []) }
                try await RuntimeHarness.eventually("all connectors logged their tokens") {
                    ["from-env", "from-file", "from-vault"].allSatisfy { probe.starts($0) == 1 } && probe.starts("crashing") >= 2
                        && lines.all.filter { $0.contains("token value") }.count >= 4
                }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        let log = lines.text
        #expect(lines.all.count > 20, "the run logged at trace level")
        #expect(log.contains("<redacted>"), "the careless log lines were written, redacted")
        #expect(canaries.leaks(in: log).isEmpty, "secret canary in the log")
        #expect(!log.contains(masterKeyText), "master key in the log")
    }
}
