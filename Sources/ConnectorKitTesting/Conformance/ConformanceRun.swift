import ConnectorKit
import Foundation
import ServiceLifecycleTestKit

/// The checks that need a running connector, in order; each makes its own connector on its own
/// store, as the host would after a restart.
struct ConformanceRun: Sendable {
    let module: any ConnectorModule
    let options: ConnectorConformance.Options
    let scan: SecretScan
    let observed = Observed()

    func checks(_ harness: ConnectorHarness) async throws -> [ConformanceResult] {
        var results: [ConformanceResult] = []
        let store = RecordingStore()
        let connector: any Connector
        do {
            connector = try harness.makeConnector(store: store)
        } catch {
            observed.note(error: error, place: "makeConnector")
            results.append(ConformanceResult(.featureInterfaces, .failed("makeConnector threw for the example configuration: \(error)")))
            results.append(secretResult(harness, stores: [store], connectors: []))
            return results
        }
        results.append(featureInterfaces(connector, configuration: harness.configuration))
        results.append(await checkAnswers(connector))
        results += await SyncConformance(run: self, harness: harness).results(enabled: harness.configuration.features)
        results.append(await ticketIdempotency(harness))
        results.append(await gracefulShutdown(harness))
        results.append(await cancellation(harness))
        results.append(secretResult(harness, stores: [store], connectors: [connector]))
        return results
    }

    // MARK: Features

    /// The interface of a built-in feature, or nil for a feature the kit does not know.
    static func hasInterface(_ feature: Feature, _ connector: any Connector) -> Bool? {
        switch feature {
        case .ticketing: connector.ticketing != nil
        case .userIngestion: connector.userIngestion != nil
        case .knowledge: connector.knowledge != nil
        case .liveAgent: connector.liveAgent != nil || connector.chatTokens != nil
        default: nil
        }
    }

    func featureInterfaces(_ connector: any Connector, configuration: ConnectorConfiguration) -> ConformanceResult {
        var problems: [String] = []
        for feature in configuration.features where Self.hasInterface(feature, connector) == false {
            problems.append("\(feature) is enabled but the connector's \(feature) interface is nil")
        }
        for feature in Feature.builtIn where !module.features.contains(feature) && Self.hasInterface(feature, connector) == true {
            problems.append("the connector offers a \(feature) interface but the module does not declare the feature")
        }
        return ConformanceResult(.featureInterfaces, ConnectorConformance.outcome(
            problems: problems, passed: "interfaces match the enabled features (\(configuration.features.map(\.rawValue).joined(separator: ", ")))"))
    }

    // MARK: check()

    func checkAnswers(_ connector: any Connector) async -> ConformanceResult {
        let started = ContinuousClock.now
        guard let result = await finishing(within: options.checkTimeout, { await connector.check() }) else {
            return ConformanceResult(.checkAnswers, .failed("check() did not answer within \(options.checkTimeout.shown)"))
        }
        guard case .success(let report) = result else { return ConformanceResult(.checkAnswers, .failed("check() failed")) }
        let details = report.checks.map { "\($0.name) \($0.status.rawValue): \($0.detail)" }.joined(separator: "\n")
        observed.note(details, place: "check()'s health details")
        if report.checks.isEmpty { return ConformanceResult(.checkAnswers, .failed("check() returned a report with no checks")) }
        return ConformanceResult(.checkAnswers, .passed("answered \(report.status.rawValue) in \((ContinuousClock.now - started).shown)"))
    }

    // MARK: Tickets

    func ticketIdempotency(_ harness: ConnectorHarness) async -> ConformanceResult {
        guard harness.configuration.features.contains(.ticketing) else {
            return ConformanceResult(.ticketIdempotency, .notApplicable("ticketing is not enabled in the example"))
        }
        let store = RecordingStore()
        guard let ticketing = try? harness.makeConnector(store: store).ticketing else {
            return ConformanceResult(.ticketIdempotency, .failed("no ticketing interface"))
        }
        var request = options.sampleTicket
        request.idempotencyKey = "conformance-\(UUID().uuidString)"
        let sample = request
        let timeout = options.syncTimeout
        let outcome = await finishing(within: timeout) { () -> (Ticket, Ticket) in
            let first = try await ticketing.createTicket(sample)
            let second = try await ticketing.createTicket(sample)
            return (first, second)
        }
        switch outcome {
        case nil:
            return ConformanceResult(.ticketIdempotency, .failed("creating the ticket twice took longer than \(timeout.shown)"))
        case .failure(let error) where isNotImplemented(error):
            return ConformanceResult(.ticketIdempotency, .notImplemented(String(describing: error)))
        case .failure(let error):
            observed.note(error: error, place: "createTicket")
            return ConformanceResult(.ticketIdempotency, .failed("createTicket threw: \(error)"))
        case .success(let (first, second)):
            observed.note(String(describing: first), place: "a created ticket")
            return first.id == second.id
                ? ConformanceResult(.ticketIdempotency, .passed("one key, one ticket (\(first.id))"))
                : ConformanceResult(.ticketIdempotency, .failed("one idempotency key made two tickets: \(first.id) and \(second.id)"))
        }
    }

    // MARK: Lifecycle

    func gracefulShutdown(_ harness: ConnectorHarness) async -> ConformanceResult {
        let connector: any Connector
        do { connector = try harness.makeConnector() } catch { return ConformanceResult(.gracefulShutdown, .failed("makeConnector threw: \(error)")) }
        let (runTime, stopTimeout) = (options.runTime, options.stopTimeout)
        let outcome = await testGracefulShutdown { trigger in
            let started = ContinuousClock.now
            async let result = finishing(within: runTime + stopTimeout) { try await connector.run() }
            try? await Task.sleep(for: runTime)
            let triggered = ContinuousClock.now
            trigger.triggerGracefulShutdown()
            let ended = await result
            return (ended, ContinuousClock.now - triggered, triggered - started)
        }
        return Self.stopResult(.gracefulShutdown, outcome.0, stoppedIn: outcome.1, limit: stopTimeout, after: "graceful shutdown", observed: observed)
    }

    func cancellation(_ harness: ConnectorHarness) async -> ConformanceResult {
        let connector: any Connector
        do { connector = try harness.makeConnector() } catch { return ConformanceResult(.cancellation, .failed("makeConnector threw: \(error)")) }
        let (runTime, stopTimeout) = (options.runTime, options.stopTimeout)
        let outcome = await testGracefulShutdown { _ in
            let task = Task { try await connector.run() }
            try? await Task.sleep(for: runTime)
            let cancelled = ContinuousClock.now
            task.cancel()
            let ended = await finishing(within: stopTimeout) { try await task.value }
            return (ended, ContinuousClock.now - cancelled)
        }
        return Self.stopResult(.cancellation, outcome.0, stoppedIn: outcome.1, limit: stopTimeout, after: "cancellation", observed: observed)
    }

    static func stopResult(_ check: ConformanceCheck, _ ended: Result<Void, any Error>?, stoppedIn: Duration, limit: Duration, after: String,
                           observed: Observed) -> ConformanceResult {
        switch ended {
        case nil:
            return ConformanceResult(check, .failed("run() had not returned \(limit.shown) after \(after)"))
        case .failure(let error) where isNotImplemented(error):
            return ConformanceResult(check, .notImplemented(String(describing: error)))
        case .failure(let error) where !(error is CancellationError):
            observed.note(error: error, place: "run()")
            return ConformanceResult(check, .failed("run() threw instead of returning on \(after): \(error)"))
        default:
            return ConformanceResult(check, .passed("run() returned \(stoppedIn.shown) after \(after)"))
        }
    }

    // MARK: Secrets

    func secretResult(_ harness: ConnectorHarness, stores: [RecordingStore], connectors: [any Connector]) -> ConformanceResult {
        guard !scan.isEmpty else {
            return ConformanceResult(.secretsStayHidden, .notApplicable("the example's settings name no secret this test can read"))
        }
        var places: [(place: String, text: String)] = [("the connector's logs", harness.logs.text)]
        places += observed.all
        for store in stores { places.append(("the events it emitted", String(describing: store.events.map(\.event)))) }
        for connector in connectors {
            places.append(("the connector's description", String(describing: connector)))
            places.append(("the connector's debug description", String(reflecting: connector)))
        }
        places.append(("the configuration's description", String(describing: harness.configuration)))
        let leaks = places.compactMap { scan.leaks(in: $0.text, place: $0.place) }
        return ConformanceResult(.secretsStayHidden, leaks.isEmpty
            ? .passed("no secret in \(harness.logs.all.count) log records, \(observed.all.count) errors or health reports, the descriptions or the events")
            : .failed(Array(Set(leaks)).sorted().joined(separator: "; ")))
    }
}
