import Foundation
import Logging
import Metrics

/// Everything shared a module may use, scoped to one connector instance — and nothing else.
/// Modules must not create their own vaults, loggers or stores.
public struct ConnectorContext: Sendable {
    /// The connector instance name (`acme-salesforce`).
    public let connectorName: String
    /// Resolves secret references at the moment of use.
    public let vault: CredentialVault
    /// Signs JWTs (RS256) with keys from the vault, each parsed once.
    public let signer: JWTSigner
    /// The host's one HTTP client (retries, timeouts, per-host limits, metrics). Owned by the host.
    public let http: HTTPTransport
    /// Checkpoints and module state, scoped to this connector.
    public let store: ScopedStateStore
    /// Where synced records go.
    public let sink: any RecordSink
    /// The host's durable event log (to the assistant).
    public let events: any EventSink
    /// The people the host has synced, by email.
    public let users: any UserDirectory
    /// Durable live-agent handoffs, scoped to this connector.
    public let handoffs: ScopedHandoffStore
    /// A logger with `connector=` metadata; the host's handler redacts secrets.
    public let logger: Logger
    /// Metrics with a `connector` dimension.
    public let metrics: ConnectorMetrics
    /// Time, injectable for tests.
    public let clock: ConnectorClock
    /// Leases on work that must run on one host at a time (``ScheduledWork`` takes them).
    public let leases: any LeaseStore
    /// This host's name among the hosts sharing a store (the holder of its leases).
    public let hostID: String

    /// Creates a context. The host makes one per connector instance. Every store is named: nothing
    /// falls back to memory behind the caller's back (handoffs kept in memory would vanish on restart).
    public init(
        connectorName: String, vault: CredentialVault, signer: JWTSigner? = nil, http: HTTPTransport, store: any StateStore,
        sink: any RecordSink, events: any EventSink, users: any UserDirectory = EmptyUserDirectory(),
        handoffs: any HandoffStore, logger: Logger, clock: ConnectorClock = .system,
        leases: any LeaseStore = SingleHostLeases(), hostID: String = "this-host"
    ) {
        self.leases = leases
        self.hostID = hostID
        self.users = users
        self.handoffs = ScopedHandoffStore(connector: connectorName, base: handoffs)
        self.connectorName = connectorName
        self.http = http
        self.vault = vault
        self.signer = signer ?? JWTSigner(vault: vault, clock: clock)
        self.store = ScopedStateStore(connector: connectorName, base: store)
        self.sink = sink
        self.events = events
        var logger = logger
        logger[metadataKey: "connector"] = .string(connectorName)
        self.logger = logger
        self.metrics = ConnectorMetrics(connector: connectorName)
        self.clock = clock
    }
}

/// A ``StateStore`` view that can only touch one connector's state.
public struct ScopedStateStore: Sendable {
    /// The connector whose state this is.
    public let connector: String
    let base: any StateStore

    /// The checkpoint of a stream.
    public func checkpoint(stream: SyncStream) async throws -> Checkpoint? {
        try await base.checkpoint(connector: connector, stream: stream.name)
    }
    /// Reads a module-owned value.
    public func moduleState(key: String) async throws -> Data? { try await base.moduleState(connector: connector, key: key) }
    /// Writes a module-owned value (`nil` deletes it).
    public func setModuleState(key: String, value: Data?) async throws {
        try await base.setModuleState(connector: connector, key: key, value: value)
    }
}

/// Makes swift-metrics instruments that carry the connector's name as a dimension.
public struct ConnectorMetrics: Sendable {
    /// The connector name used as the `connector` dimension.
    public let connector: String

    /// A counter `label{connector=…, extra…}`.
    public func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
        Counter(label: label, dimensions: [("connector", connector)] + dimensions)
    }
    /// A timer `label{connector=…, extra…}`.
    public func timer(_ label: String, _ dimensions: [(String, String)] = []) -> Metrics.Timer {
        Metrics.Timer(label: label, dimensions: [("connector", connector)] + dimensions)
    }
    /// A gauge `label{connector=…, extra…}`.
    public func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> Gauge {
        Gauge(label: label, dimensions: [("connector", connector)] + dimensions)
    }
}

/// Wall-clock time and sleeping, injectable so tests control time.
public struct ConnectorClock: Sendable {
    private let nowFunction: @Sendable () -> Date
    private let sleepFunction: @Sendable (Duration) async throws -> Void

    /// Creates a clock from its two operations.
    public init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.nowFunction = now
        self.sleepFunction = sleep
    }

    /// The system clock.
    public static let system = ConnectorClock(now: { Date() }, sleep: { try await Task.sleep(for: $0) })

    /// The current time.
    public func now() -> Date { nowFunction() }
    /// Sleeps; throws `CancellationError` when the task is cancelled.
    public func sleep(for duration: Duration) async throws { try await sleepFunction(duration) }
}
