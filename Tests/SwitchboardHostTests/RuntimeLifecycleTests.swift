import ConnectorKit
import ConnectorKitTesting
import Foundation
import Logging
import ServiceLifecycleTestKit
import Testing
@testable import SwitchboardHost

@Suite("Host runtime: supervision, restart with backoff, graceful shutdown")
struct RuntimeLifecycleTests {
    let fastBackoff = RestartBackoff(initial: .milliseconds(40), maximum: .milliseconds(160), jitter: 0, healthyRunTime: .seconds(60))

    @Test func gracefulShutdownStopsEveryConnector() async throws {
        let probe = ProbeModule.Probe()
        let registry = ModuleRegistry([ProbeModule(probe: probe)])
        let configuration = try RuntimeHarness.probeConfiguration(
            [("one", "steady", ["ticketing"]), ("two", "steady", ["knowledge"])], registry: registry)
        let lines = CapturedLines()
        let runtime = try HostRuntime(configuration: configuration, registry: registry, logger: RuntimeHarness.logger(lines, redactor: SecretRedactor()))
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run(signals: []) }
                try await RuntimeHarness.eventually("both running") {
                    runtime.board.snapshot.map(\.state) == [.running, .running] && probe.starts("one") == 1 && probe.starts("two") == 1
                }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(probe.cleanStops("one") == 1 && probe.cleanStops("two") == 1)
        #expect(runtime.board.snapshot.map(\.state) == [.stopped, .stopped])
        #expect(lines.text.contains("switchboard host started"))
    }

    @Test func crashingConnectorIsRestartedWhileTheOtherKeepsRunning() async throws {
        let probe = ProbeModule.Probe()
        let registry = ModuleRegistry([ProbeModule(probe: probe)])
        let configuration = try RuntimeHarness.probeConfiguration(
            [("crashy", "crash", ["ticketing"]), ("steady", "steady", ["ticketing"])], registry: registry)
        let lines = CapturedLines()
        let runtime = try HostRuntime(
            configuration: configuration, registry: registry, logger: RuntimeHarness.logger(lines, redactor: SecretRedactor()),
            backoff: fastBackoff)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run(signals: []) }
                try await RuntimeHarness.eventually("four restarts of crashy") { probe.starts("crashy") >= 5 }
                #expect(probe.starts("steady") == 1, "the healthy connector was never restarted")
                #expect(runtime.board.status("steady")?.state == .running)
                let crashy = try #require(runtime.board.status("crashy"))
                #expect(crashy.restarts >= 3)
                #expect(crashy.lastError == "probe connector crashed on purpose")
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        // Delays grow 40 ms, 80 ms, 160 ms and stay capped: read them back from the log.
        let delays = lines.all.filter { $0.contains("restarting after backoff") && $0.contains("connector=crashy") }
            .compactMap { $0.components(separatedBy: " delay=").last?.components(separatedBy: " ").first }
        #expect(Array(delays.prefix(4)) == ["40ms", "80ms", "160ms", "160ms"])
        #expect(probe.cleanStops("steady") == 1)
        #expect(runtime.board.status("crashy")?.state == .stopped)
    }

    @Test func connectorWithUnusableSettingsIsFailedAndOthersRun() async throws {
        let probe = ProbeModule.Probe()
        let registry = ModuleRegistry([ProbeModule(probe: probe), ExampleModule()])
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        var text = ConfigFixture.base + "\n  healthy:\n    module: probe\n    features: [ticketing]\n"
        text = text.replacingOccurrences(of: "host:\n", with: "host:\n  shutdown_timeout: 5s\n")
        let configuration = try ConfigLoader(registry: registry, environment: fixture.environment)
            .load(text: text, file: "connectors.yaml", baseDirectory: fixture.directory)
        let runtime = try HostRuntime(configuration: configuration, registry: registry,
                                      logger: RuntimeHarness.logger(CapturedLines(), redactor: SecretRedactor()), backoff: fastBackoff)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run(signals: []) }
                try await RuntimeHarness.eventually("acme failed, healthy running") {
                    runtime.board.status("acme")?.state == .failed && runtime.board.status("healthy")?.state == .running
                }
                try await Task.sleep(for: .milliseconds(200))
                #expect(runtime.board.status("acme")?.state == .failed, "not restarted")
                #expect(runtime.board.status("acme")?.lastError?.contains("schema-only module") == true)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func featuresAndOnlySelectTheRightConnectors() async throws {
        let registry = ModuleRegistry([ProbeModule()])
        let configuration = try RuntimeHarness.probeConfiguration(
            [("a", "steady", ["ticketing", "knowledge"]), ("b", "steady", ["knowledge"]), ("c", "steady", ["live-agent"])],
            registry: registry)
        func selected(_ selection: ConnectorSelection) throws -> [String] {
            try HostRuntime(configuration: configuration, registry: registry, selection: selection, logger: Logger(label: "t"))
                .connectors.map { "\($0.name):\($0.features.map(\.rawValue).joined(separator: "+"))" }
        }
        #expect(try selected(.all) == ["a:ticketing+knowledge", "b:knowledge", "c:live-agent"])
        #expect(try selected(ConnectorSelection(features: [.knowledge])) == ["a:knowledge", "b:knowledge"])
        #expect(try selected(ConnectorSelection(features: [.ticketing, .liveAgent])) == ["a:ticketing", "c:live-agent"])
        #expect(try selected(ConnectorSelection(connectors: ["c"])) == ["c:live-agent"])
        #expect(try selected(ConnectorSelection(features: [.knowledge], connectors: ["b", "c"])) == ["b:knowledge"])
        let unknown = #expect(throws: ConnectorError.self) { try selected(ConnectorSelection(connectors: ["zzz"])) }
        #expect(unknown?.description.contains("--only names connectors that are not configured: zzz; configured: a, b, c") == true)
        let missing = #expect(throws: ConnectorError.self) { try selected(ConnectorSelection(features: [.userIngestion])) }
        #expect(missing?.description.contains("--features names features no selected connector enables: user-ingestion") == true)

        // And the selection is what actually runs.
        let probe = ProbeModule.Probe()
        let probeRegistry = ModuleRegistry([ProbeModule(probe: probe)])
        let runtime = try HostRuntime(configuration: configuration, registry: probeRegistry, selection: ConnectorSelection(features: [.knowledge]),
                                      logger: Logger(label: "t"))
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run(signals: []) }
                try await RuntimeHarness.eventually("a and b running") { probe.startedNames == ["a", "b"] }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(probe.startedNames == ["a", "b"])
    }
}

@Suite("RestartBackoff")
struct RestartBackoffTests {
    @Test func growsExponentiallyUpToTheCap() {
        let backoff = RestartBackoff(initial: .seconds(1), maximum: .seconds(60), jitter: 0)
        #expect((1...8).map { backoff.delay(attempt: $0) } == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(backoff.delay(attempt: 500) == .seconds(60))
    }

    @Test func jitterOnlyShortens() {
        let backoff = RestartBackoff(initial: .seconds(10), maximum: .seconds(60), jitter: 0.2)
        #expect(backoff.delay(attempt: 1, random: 0) == .seconds(10))
        #expect(backoff.delay(attempt: 1, random: 1) == .seconds(8))
        #expect(backoff.delay(attempt: 1, random: 0.5) == .seconds(9))
    }

    @Test func aLongHealthyRunResetsTheCount() {
        let backoff = RestartBackoff(healthyRunTime: .seconds(60))
        #expect(backoff.nextAttempt(after: 5, runTime: .seconds(3)) == 6)
        #expect(backoff.nextAttempt(after: 5, runTime: .seconds(61)) == 1)
    }
}
