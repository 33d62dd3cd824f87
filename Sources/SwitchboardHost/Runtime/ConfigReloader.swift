import ConnectorKit
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reloads `connectors.yaml` on SIGHUP (what `switchboard reload` sends): reads and validates it
/// again, and either applies the difference to the ``ConnectorFleet`` — new connectors start, removed
/// ones end their open handoffs and stop, changed ones restart with their new settings, unchanged
/// ones are not touched — or, when the file is invalid or changes what only a restart applies
/// (host or vault settings), changes nothing and logs why. One reload runs at a time; each is logged
/// once with what changed (setting paths, never values) and its ``ReloadOutcome`` written.
final class ConfigReloader: Service, Sendable, CustomStringConvertible {
    /// What runs now.
    private struct Current: Sendable {
        var configuration: HostConfiguration
        var connectors: [ConnectorConfiguration]
        var generation: Int
    }

    /// The reason a removed connector's open handoffs give the assistant.
    static let removedReason = "the connector was removed from the configuration"

    private let current: Mutex<Current>
    private let source: ConfigurationSource
    private let runtime: HostRuntime
    private let fleet: ConnectorFleet

    init(source: ConfigurationSource, runtime: HostRuntime, fleet: ConnectorFleet) {
        self.source = source
        self.runtime = runtime
        self.fleet = fleet
        current = Mutex(Current(configuration: runtime.configuration, connectors: runtime.connectors, generation: 1))
    }

    var description: String { "configuration reloader" }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        let generation = runtime.board.configuration
        write(ReloadOutcome(pid: ProcessInfo.processInfo.processIdentifier, startedAt: generation.loadedAt, applied: true,
                            generation: generation.generation, errors: [], changes: ["started"]))
        for await _ in signals.cancelOnGracefulShutdown() {
            if Task.isShuttingDownGracefully { break }
            write(await reload())
        }
    }

    /// Reads the file again and applies it, or changes nothing; returns what happened.
    func reload() async -> ReloadOutcome {
        let started = Date()
        let clock = ContinuousClock.now
        let pid = ProcessInfo.processInfo.processIdentifier
        let before = current.withLock { $0 }
        let logger = runtime.logger
        func refuse(_ errors: [String], _ reason: String) -> ReloadOutcome {
            for error in errors { logger.error("\(error)") }
            logger.error("configuration reload refused; nothing changed", metadata: [
                "config": .string(before.configuration.file), "reason": .string(reason), "generation": "\(before.generation)",
            ])
            count("refused")
            return ReloadOutcome(pid: pid, startedAt: started, applied: false, generation: before.generation, errors: errors, changes: [])
        }
        var configuration: HostConfiguration
        let registry: ModuleRegistry
        let connectors: [ConnectorConfiguration]
        do {
            (configuration, registry) = try await source.load()
        } catch let error as ConfigError {
            return refuse(error.diagnostics.map(\.description), "the file is not valid (`switchboard validate` shows the same)")
        } catch {
            return refuse([runtime.redactor.redact(String(describing: error))], "the file cannot be read")
        }
        let hostLevel = ConfigurationChanges.hostLevelChanges(before.configuration, configuration)
        guard hostLevel.isEmpty else {
            let errors = hostLevel.map {
                "\(configuration.file): \($0) changed: the host applies it only at start-up; restart the host to apply it (nothing was reloaded)"
            }
            return refuse(errors, "host settings changed; a restart is needed")
        }
        do {
            configuration = try await source.prepare(configuration, registry)
            connectors = try runtime.selection.apply(to: configuration.connectors)
        } catch {
            return refuse([runtime.redactor.redact(String(describing: error))], "it cannot apply while the host runs")
        }
        let changes = ConfigurationChanges(from: before.configuration, running: before.connectors, to: configuration, running: connectors)
        for warning in configuration.warnings { logger.warning("\(warning.description)") }
        runtime.vault.registerEnvironmentSecrets(configuration.secretReferences)
        for secret in configuration.sensitiveValues { runtime.redactor.register(secret) }

        runtime.signer.forgetAllKeys()
        await apply(changes, connectors: connectors, registry: registry)
        let generation = before.generation + 1
        current.withLock { $0 = Current(configuration: configuration, connectors: connectors, generation: generation) }
        let loaded = ConfigurationGeneration(generation: generation, loadedAt: Date(), file: configuration.file)
        runtime.board.setConfiguration(loaded)
        loaded.record()
        count("applied")
        let lines = Self.lines(changes)
        logger.notice("configuration reloaded", metadata: [
            "config": .string(configuration.file), "generation": "\(generation)",
            "added": .string(changes.added.joined(separator: ",")), "removed": .string(changes.removed.joined(separator: ",")),
            "restarted": .string(changes.changed.map(\.description).joined(separator: "; ")),
            "unchanged": .string(changes.unchanged.joined(separator: ",")),
            "took_ms": .string(Self.milliseconds(ContinuousClock.now - clock)),
        ])
        return ReloadOutcome(pid: pid, startedAt: started, applied: true, generation: generation, errors: [], changes: lines)
    }

    /// Stops what is removed (ending its handoffs first) or changed, all at once, then starts what
    /// is changed or new, in file order.
    private func apply(_ changes: ConfigurationChanges, connectors: [ConnectorConfiguration], registry: ModuleRegistry) async {
        for name in changes.removed { await fleet.endHandoffs(of: name, reason: Self.removedReason) }
        let restarted = Set(changes.changed.map(\.name))
        let fleet = self.fleet
        await withDiscardingTaskGroup { tasks in
            for name in changes.removed { tasks.addTask { await fleet.stop(name, forgetting: true) } }
            for name in restarted { tasks.addTask { await fleet.stop(name, forgetting: false) } }
        }
        let starting = Set(changes.added).union(restarted)
        for connector in connectors where starting.contains(connector.name) {
            guard let module = registry.module(named: connector.module) else { continue }
            fleet.start(connector, module: module)
        }
        runtime.board.arrange(connectors.map(\.name))
    }

    /// A duration in milliseconds with one decimal (`12.3`).
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }

    /// What changed, one line each, for the outcome file.
    static func lines(_ changes: ConfigurationChanges) -> [String] {
        guard !changes.isEmpty else { return ["nothing changed (\(changes.unchanged.count) connectors untouched)"] }
        return changes.added.map { "added: \($0)" } + changes.removed.map { "removed: \($0)" }
            + changes.changed.map { "restarted: \($0)" } + changes.unchanged.map { "unchanged: \($0)" }
    }

    private func count(_ result: String) {
        Counter(label: "switchboard_config_reloads_total", dimensions: [("result", result)]).increment()
    }

    private func write(_ outcome: ReloadOutcome) {
        guard let path = source.outcomeFile else { return }
        do {
            try AtomicFile.write(try outcome.encoded(), to: path, mode: 0o600)
        } catch {
            runtime.logger.warning("cannot write the reload outcome; `switchboard reload` will not see it", metadata: [
                "path": .string(path), "error": .string(String(describing: error)),
            ])
        }
    }
}
