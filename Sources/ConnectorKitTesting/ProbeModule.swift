import ConnectorKit
import Logging
import ServiceLifecycle
import Synchronization

/// A module for testing hosts: its connectors either run steadily until shutdown or crash after a
/// delay, and a shared ``Probe`` counts what happened to each instance. It accepts every built-in
/// feature and two settings:
///
/// ```yaml
/// behavior: steady | crash     # default steady
/// crash_after: 50ms            # how long a crashing connector runs before throwing
/// token: env:NAME              # optional secret, resolved and logged (redacted) at trace level
/// ```
public struct ProbeModule: ConnectorModule {
    /// What happened to each connector instance.
    public final class Probe: Sendable {
        private let counts = Mutex<[String: (starts: Int, cleanStops: Int, crashes: Int)]>([:])

        /// Creates an empty probe.
        public init() {}

        /// How many times the instance's `run()` was entered.
        public func starts(_ name: String) -> Int { counts.withLock { $0[name]?.starts ?? 0 } }
        /// How many times it returned on graceful shutdown.
        public func cleanStops(_ name: String) -> Int { counts.withLock { $0[name]?.cleanStops ?? 0 } }
        /// How many times it threw.
        public func crashes(_ name: String) -> Int { counts.withLock { $0[name]?.crashes ?? 0 } }
        /// Instance names that started at least once.
        public var startedNames: Set<String> { counts.withLock { Set($0.filter { $0.value.starts > 0 }.keys) } }

        func record(_ name: String, _ change: (inout (starts: Int, cleanStops: Int, crashes: Int)) -> Void) {
            counts.withLock { change(&$0[name, default: (0, 0, 0)]) }
        }
    }

    /// The error a crashing probe connector throws.
    public struct Crash: Error, CustomStringConvertible {
        public var description: String { "probe connector crashed on purpose" }
    }

    public let name: String
    public let summary = "Test module: steady or crashing connectors that count their runs."
    public let features: [Feature] = Feature.builtIn
    /// The probe the module's connectors report to.
    public let probe: Probe

    /// Creates the module under a name (default `probe`).
    public init(name: String = "probe", probe: Probe = Probe()) {
        self.name = name
        self.probe = probe
    }

    public var settings: SettingsSchema {
        SettingsSchema([
            SettingField("behavior", .oneOf(["steady", "crash"]), default: .string("steady"), summary: "Run until shutdown, or crash."),
            SettingField("crash_after", .duration, default: .duration(.milliseconds(50)), summary: "Run time before a crash."),
            SettingField("token", .secret, summary: "A secret the connector resolves and logs at trace level."),
        ])
    }

    public func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        ProbeConnector(
            name: configuration.name, crashes: configuration.settings["behavior"]?.stringValue == "crash",
            crashAfter: configuration.settings["crash_after"]?.durationValue ?? .milliseconds(50),
            token: configuration.settings["token"]?.secretValue, context: context, probe: probe)
    }
}

struct ProbeConnector: Connector {
    let name: String
    let crashes: Bool
    let crashAfter: Duration
    let token: SecretReference?
    let context: ConnectorContext
    let probe: ProbeModule.Probe

    func run() async throws {
        probe.record(name) { $0.starts += 1 }
        context.logger.info("probe connector running", metadata: ["behavior": .string(crashes ? "crash" : "steady")])
        if let token {
            let secret = try context.vault.resolve(token)
            // Every way a careless module might log a secret; the host must redact all of them.
            context.logger.trace("resolved token \(secret)", metadata: ["token": "\(secret)"])
            let revealed = try secret.revealedString()
            context.logger.trace("token value \(revealed)", metadata: ["raw": .string(revealed)])
            context.logger.debug("debug dump", metadata: ["dump": .string(String(reflecting: secret))])
        }
        if crashes {
            try await cancelWhenGracefulShutdown { try await context.clock.sleep(for: crashAfter) }
            probe.record(name) { $0.crashes += 1 }
            throw ProbeModule.Crash()
        }
        try? await gracefulShutdown()
        probe.record(name) { $0.cleanStops += 1 }
    }

    func check() async -> HealthReport { .healthy() }
}
