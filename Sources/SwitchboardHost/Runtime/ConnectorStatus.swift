import ConnectorKit
import Foundation
import Synchronization

/// Where a connector is in its life, as readiness and `switchboard doctor` report it.
public enum ConnectorState: Sendable, Hashable, CustomStringConvertible {
    /// Being made or about to run.
    case starting
    /// Running.
    case running
    /// Its run failed; it will be restarted after a delay.
    case backingOff(attempt: Int, retryAt: Date)
    /// It cannot run with its settings; it will not be restarted.
    case failed
    /// Shut down.
    case stopped

    /// A stable one-word name (`backing-off`).
    public var name: String {
        switch self {
        case .starting: "starting"
        case .running: "running"
        case .backingOff: "backing-off"
        case .failed: "failed"
        case .stopped: "stopped"
        }
    }

    public var description: String {
        if case .backingOff(let attempt, let retryAt) = self {
            return "backing off (attempt \(attempt), retry at \(retryAt.formatted(.iso8601)))"
        }
        return name
    }
}

/// One connector's status.
public struct ConnectorStatus: Sendable, Hashable {
    /// The instance name.
    public var name: String
    /// The module name.
    public var module: String
    /// The features running.
    public var features: [Feature]
    /// The state.
    public var state: ConnectorState
    /// How many times it was restarted after a failure.
    public var restarts: Int
    /// The last failure, as text (never a secret: it is the error's description, redacted).
    public var lastError: String?
    /// When the state last changed.
    public var since: Date
}

/// The current status of every connector the host runs, shared by the supervisors (writers) and
/// readiness reporting (readers).
public final class ConnectorStatusBoard: Sendable {
    private let statuses = Mutex<[String: ConnectorStatus]>([:])
    private let order = Mutex<[String]>([])

    /// Creates an empty board.
    public init() {}

    /// Adds a connector in the `starting` state (a connector restarted by a reload keeps its place).
    func register(_ configuration: ConnectorConfiguration) {
        order.withLock { if !$0.contains(configuration.name) { $0.append(configuration.name) } }
        statuses.withLock {
            $0[configuration.name] = ConnectorStatus(
                name: configuration.name, module: configuration.module, features: configuration.features,
                state: .starting, restarts: 0, lastError: nil, since: Date())
        }
    }

    /// Removes a connector the configuration no longer has.
    func unregister(_ name: String) {
        order.withLock { $0.removeAll { $0 == name } }
        statuses.withLock { _ = $0.removeValue(forKey: name) }
        attach(name, nil)
    }

    /// Puts the connectors in this order (the configuration's, after a reload); others keep theirs after them.
    func arrange(_ names: [String]) {
        order.withLock { order in order = names.filter(order.contains) + order.filter { !names.contains($0) } }
    }

    /// The configuration the connectors run with: its generation and when it was loaded.
    public var configuration: ConfigurationGeneration { generation.withLock { $0 } }

    func setConfiguration(_ value: ConfigurationGeneration) { generation.withLock { $0 = value } }

    private let generation = Mutex(ConfigurationGeneration(generation: 1, loadedAt: Date(), file: ""))

    /// Changes a connector's state.
    func update(_ name: String, _ change: (inout ConnectorStatus) -> Void) {
        statuses.withLock { statuses in
            guard var status = statuses[name] else { return }
            change(&status)
            status.since = Date()
            statuses[name] = status
        }
    }

    /// Every connector's status, in configuration order.
    /// The running connector instances, for the host API (their health checks and features).
    private let instances = Mutex<[String: any Connector]>([:])

    func attach(_ name: String, _ connector: (any Connector)?) { instances.withLock { $0[name] = connector } }

    /// The running instance of a connector, when it runs.
    public func connector(_ name: String) -> (any Connector)? { instances.withLock { $0[name] } }

    public var snapshot: [ConnectorStatus] {
        let names = order.withLock { $0 }
        return statuses.withLock { statuses in names.compactMap { statuses[$0] } }
    }

    /// One connector's status.
    public func status(_ name: String) -> ConnectorStatus? { statuses.withLock { $0[name] } }
}
