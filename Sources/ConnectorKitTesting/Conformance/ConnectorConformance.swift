import ConnectorKit
import Foundation
import Synchronization

/// The conformance kit: one call from a module's test target checks the things a module must get
/// right to run safely in the host, the way Airbyte's connector acceptance tests check a source.
///
/// ```swift
/// @Test func conformance() async throws {
///     try await ConnectorConformance.check(ZendeskModule(), config: """
///         helpdesk:
///           module: zendesk
///           features: [ticketing]
///           api_token: env:ZENDESK_TOKEN
///         """)
/// }
/// ```
///
/// It throws ``ConformanceFailure`` (listing every check) when a check fails, and returns the
/// ``ConformanceReport`` otherwise. A feature that throws ``ConnectorError/Code/notImplemented`` is
/// reported as `todo`, never as passing. `env:` secrets the test does not set get canary values, and
/// every secret is looked for in logs, errors, descriptions, health details and events.
public enum ConnectorConformance {
    /// How to run the checks.
    public struct Options: Sendable {
        /// Which connector of the YAML to check (default: the first of the module).
        public var connector: String?
        /// What `env:` references and `${VAR}` read; unset `env:` secrets get canaries.
        public var environment: [String: String] = [:]
        /// The folder `file:` references and `path` settings resolve against.
        public var baseDirectory: String = FileManager.default.currentDirectoryPath
        /// The transport's configuration (retries, timeouts).
        public var transport: HTTPTransport.Configuration = .init()
        /// How long `check()` may take.
        public var checkTimeout: Duration = .seconds(10)
        /// How long `run()` may take to return after shutdown or cancellation.
        public var stopTimeout: Duration = .seconds(5)
        /// How long a connector runs before it is stopped.
        public var runTime: Duration = .milliseconds(300)
        /// How long one sync run may take.
        public var syncTimeout: Duration = .seconds(120)
        /// The ticket the idempotency check creates twice (its key is replaced by a fresh one).
        public var sampleTicket = NewTicket(requesterEmail: "conformance@example.com", subject: "Conformance check", idempotencyKey: "")
        /// How many failed-commit positions the checkpoint check tries per sync.
        public var commitFailurePositions = 4
        /// Checks to leave out (reported as not applicable), with the test's reason in its own code.
        public var skipping: Set<ConformanceCheck> = []
        /// The modules other connectors in the YAML name (when it is a whole connectors.yaml).
        public var otherModules: [any ConnectorModule] = []

        /// Default options.
        public init() {}
    }

    /// Runs every check against `module` with the connector `config` declares.
    ///
    /// - Parameters:
    ///   - module: the module under test.
    ///   - config: a `connectors:` mapping (or a whole `connectors.yaml`) declaring the connector.
    ///   - options: timeouts, environment and the sample ticket.
    /// - Returns: the report, when no check failed.
    /// - Throws: `ConfigError` when the YAML does not validate; ``ConformanceFailure`` when a check fails.
    @discardableResult
    public static func check(_ module: any ConnectorModule, config: String, options: Options = Options()) async throws -> ConformanceReport {
        var results = [ConformanceResult(.schema, outcome(problems: SchemaLint.problems(of: module), passed: "name, summary, features and \(module.settings.fields.count) settings are well-formed"))]
        let plain = try ConnectorHarness.configuration(of: module, yaml: config, connector: options.connector,
                                                       environment: options.environment, baseDirectory: options.baseDirectory,
                                                       otherModules: options.otherModules)
        results.append(ConformanceResult(.exampleValidates, .passed("connector '\(plain.name)' validates with features \(plain.features.map(\.rawValue).joined(separator: ", "))")))
        let scan = SecretScan(settings: plain.settings, environment: options.environment, baseDirectory: options.baseDirectory)

        let run = ConformanceRun(module: module, options: options, scan: scan)
        let more = try await ConnectorHarness.with(
            module, yaml: config, connector: plain.name, environment: scan.environment, baseDirectory: options.baseDirectory,
            transport: options.transport, otherModules: options.otherModules
        ) { harness in
            try await run.checks(harness)
        }
        results += more
        let report = ConformanceReport(module: module.name, connector: plain.name, results: results.filter { result in
            !options.skipping.contains(result.check)
        } + options.skipping.sorted { $0.rawValue < $1.rawValue }.map { ConformanceResult($0, .notApplicable("skipped by the test")) })
        guard report.passed else { throw ConformanceFailure(report: report) }
        return report
    }

    static func outcome(problems: [String], passed: String) -> ConformanceOutcome {
        problems.isEmpty ? .passed(passed) : .failed(problems.joined(separator: "; "))
    }
}

/// Collects text a connector produced (error descriptions, health details, descriptions) for the
/// secret scan.
final class Observed: Sendable {
    private let texts = Mutex<[(place: String, text: String)]>([])

    func note(_ text: String, place: String) { texts.withLock { $0.append((place, text)) } }
    func note(error: any Error, place: String) {
        note(String(describing: error) + "\n" + String(reflecting: error), place: "the error thrown by \(place)")
    }
    var all: [(place: String, text: String)] { texts.withLock { $0 } }
}

/// Whether an error says "not implemented yet".
func isNotImplemented(_ error: any Error) -> Bool {
    (error as? ConnectorError)?.code == .notImplemented
}
