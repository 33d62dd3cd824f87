import Logging
import Metrics
import ServiceLifecycle

/// Runs one feature's periodic work (a sync, a watcher) until graceful shutdown, isolated from the
/// connector's other features — the loop every module needs, written once:
/// - a failure is logged and retried on its own after a ``Backoff`` (1 s doubling, never longer than
///   the interval or ``maximumBackoff``); it never ends the connector's `run()`;
/// - a pause (by default ``ConnectorError/Code/rateLimited``) waits for the next interval: the work
///   resumes from its checkpoint;
/// - with ``health``, the check ``check`` is recorded after each round: `healthy` with the detail the
///   work returned, `degraded` while it fails or is paused.
public struct ScheduledWork: Sendable {
    /// For logs: `contact sync`, `ticket watch`.
    public var name: String
    /// Time between rounds.
    public var interval: Duration
    /// The connector's clock (tests control it).
    public var clock: ConnectorClock
    /// The connector's logger.
    public var logger: Logger
    /// Where rounds are recorded, when the work does not record them itself.
    public var health: HealthChecks?
    /// The check's name (`users`, `ticket-watch`).
    public var check: String
    /// Whether an error is a pause (wait for the next interval) rather than a failure (retry soon).
    public var isPause: @Sendable (any Error) -> Bool
    /// Whether an error is no failure at all (a round skipped on purpose): logged at debug level.
    public var isSkip: @Sendable (any Error) -> Bool

    /// Where the work's lease is taken (several hosts on one store run it on one of them).
    public var leases: any LeaseStore
    /// The lease's name (`<connector>/<check>`) and this host as its holder.
    public var leaseName: String
    /// This host, as the holder of its leases.
    public var holder: String
    /// How long the lease lasts unrenewed, and how often it is renewed (or tried for).
    public var leaseTiming: (duration: Duration, renewal: Duration) = (Self.leaseDuration, Self.leaseRenewal)

    /// The longest wait before retrying a failed round.
    public static let maximumBackoff: Duration = .seconds(300)
    /// How long a lease lasts unrenewed: the longest another host waits to take over the work of a
    /// host that died.
    public static let leaseDuration: Duration = .seconds(15)
    /// How often a held lease is renewed, and how often a host without it tries to take it.
    public static let leaseRenewal: Duration = .seconds(5)

    /// Creates the loop for one feature of `context`'s connector.
    public init(name: String, check: String, interval: Duration, context: ConnectorContext, health: HealthChecks? = nil,
                isPause: @escaping @Sendable (any Error) -> Bool = { ($0 as? ConnectorError)?.code == .rateLimited },
                isSkip: @escaping @Sendable (any Error) -> Bool = { _ in false }) {
        self.name = name
        self.check = check
        self.interval = interval
        self.clock = context.clock
        self.logger = context.logger
        self.health = health
        self.isPause = isPause
        self.isSkip = isSkip
        self.leases = context.leases
        self.leaseName = "\(context.connectorName)/\(check)"
        self.holder = context.hostID
    }

    /// The wait before retry number `failures` (1-based): 1 s doubling, capped by `interval` and
    /// ``maximumBackoff``, up to 20 % shorter at random (so connectors do not retry in step).
    public static func backoff(failures: Int, interval: Duration, random: Double = Double.random(in: 0...1)) -> Duration {
        Backoff(initial: .seconds(1), maximum: min(interval, maximumBackoff), jitter: .shorter(by: 0.2)).delay(attempt: failures, random: random)
    }

    /// Runs `work` now and then every ``interval`` (sooner after a failure) until shutdown. The
    /// detail `work` returns is recorded as the healthy check.
    ///
    /// On a store several hosts share, each round runs under the work's lease, held from round to
    /// round and renewed every ``leaseRenewal``: a host without it tries again at that pace and
    /// takes the work over within ``leaseDuration`` of its holder's death (resuming from the
    /// checkpoint). The round's writes are fenced by the lease (``Lease/fences``): once it is lost,
    /// the store refuses them, so a host that stalled past its lease cannot commit.
    public func run(_ work: () async throws -> String) async {
        if leases is SingleHostLeases { return await runAlone(work) }
        // switchboard_lease_held{lease=…}: 1 while this host holds the work's lease.
        let held = Gauge(label: "switchboard_lease_held", dimensions: [("lease", leaseName)])
        var failures = 0
        var lease: Lease?
        defer { held.record(0) }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            lease = await renewed(lease)
            held.record(lease == nil ? 0 : 1)
            guard let current = lease else {
                guard await pause(leaseTiming.renewal) else { return }
                continue
            }
            let outcome = await round(failures: &failures) { try await Lease.fenced(by: [current]) { try await work() } }
            guard case .wait(let wait) = outcome else {
                if case .leaseLost = outcome {
                    lease = nil
                    continue
                }
                break
            }
            // Wait for the next round, renewing the lease meanwhile; a lost lease ends the wait.
            var remaining = wait
            while remaining > .zero, lease != nil {
                let step = min(remaining, leaseTiming.renewal)
                guard await pause(step) else { break }
                remaining -= step
                if remaining > .zero {
                    lease = await renewed(lease)
                    held.record(lease == nil ? 0 : 1)
                }
            }
        }
        if let lease { try? await leases.releaseLease(lease) }
    }

    /// The lease renewed (or taken, when `lease` is nil), or nil when another host has it or the
    /// store cannot say (then nothing runs here until it can).
    private func renewed(_ lease: Lease?) async -> Lease? {
        do {
            return try await leases.acquireLease(leaseName, holder: holder, for: leaseTiming.duration)
        } catch {
            logger.warning("\(name): the lease could not be taken or renewed; retrying", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Sleeps on the connector's clock; false when shutdown or cancellation ended the sleep.
    private func pause(_ duration: Duration) async -> Bool {
        do {
            try await cancelWhenGracefulShutdown { try await clock.sleep(for: duration) }
            return !Task.isCancelled && !Task.isShuttingDownGracefully
        } catch {
            return false
        }
    }

    /// What a round leaves the loop to do.
    private enum RoundOutcome {
        /// Wait this long before the next.
        case wait(Duration)
        /// The lease moved to another host (its writes were refused).
        case leaseLost
        /// Cancelled: stop.
        case stop
    }

    /// Runs one round: records its check, logs what failed, and says how long to wait.
    private func round(failures: inout Int, _ work: () async throws -> String) async -> RoundOutcome {
        do {
            let detail = try await work()
            failures = 0
            health?.record(HealthReport.Check(name: check, status: .healthy, detail: detail))
        } catch is CancellationError {
            return .stop
        } catch is SyncInterrupted {
            logger.info("\(name) stopped for the shutdown; it resumes from its checkpoint")
            return .stop
        } catch let lost as LeaseLost {
            logger.notice("\(name) moved to another host; this one stops writing it", metadata: ["lease": "\(lost.lease)"])
            return .leaseLost
        } catch let error where isSkip(error) {
            logger.debug("\(name) skipped: \(error)")
        } catch let error where isPause(error) {
            logger.warning("\(name) paused; it resumes from its checkpoint at the next run", metadata: ["error": "\(error)"])
            health?.record(HealthReport.Check(name: check, status: .degraded, detail: "paused: \(error); resumes from its checkpoint"))
        } catch {
            failures += 1
            let wait = Self.backoff(failures: failures, interval: interval)
            logger.warning("\(name) failed; the connector's other features keep running, and this one is retried", metadata: [
                "error": "\(error)", "failures": "\(failures)", "retry_in": .string(DurationFormat.format(wait)),
            ])
            health?.record(HealthReport.Check(name: check, status: .degraded, detail: "failing, retried on its own: \(error)"))
            return .wait(wait)
        }
        return .wait(interval)
    }

    /// One host on its store: every round here, no lease to keep.
    private func runAlone(_ work: () async throws -> String) async {
        var failures = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            guard case .wait(let wait) = await round(failures: &failures, work), await pause(wait) else { return }
        }
    }
}
