import Logging
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

    /// The longest wait before retrying a failed round.
    public static let maximumBackoff: Duration = .seconds(300)

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
    }

    /// The wait before retry number `failures` (1-based): 1 s doubling, capped by `interval` and
    /// ``maximumBackoff``, up to 20 % shorter at random (so connectors do not retry in step).
    public static func backoff(failures: Int, interval: Duration, random: Double = Double.random(in: 0...1)) -> Duration {
        Backoff(initial: .seconds(1), maximum: min(interval, maximumBackoff), jitter: .shorter(by: 0.2)).delay(attempt: failures, random: random)
    }

    /// Runs `work` now and then every ``interval`` (sooner after a failure) until shutdown. The
    /// detail `work` returns is recorded as the healthy check.
    public func run(_ work: () async throws -> String) async {
        var failures = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            var wait = interval
            do {
                let detail = try await work()
                failures = 0
                health?.record(HealthReport.Check(name: check, status: .healthy, detail: detail))
            } catch is CancellationError {
                return
            } catch let error where isSkip(error) {
                logger.debug("\(name) skipped: \(error)")
            } catch let error where isPause(error) {
                logger.warning("\(name) paused; it resumes from its checkpoint at the next run", metadata: ["error": "\(error)"])
                health?.record(HealthReport.Check(name: check, status: .degraded, detail: "paused: \(error); resumes from its checkpoint"))
            } catch {
                failures += 1
                wait = Self.backoff(failures: failures, interval: interval)
                logger.warning("\(name) failed; the connector's other features keep running, and this one is retried", metadata: [
                    "error": "\(error)", "failures": "\(failures)", "retry_in": .string(DurationFormat.format(wait)),
                ])
                health?.record(HealthReport.Check(name: check, status: .degraded, detail: "failing, retried on its own: \(error)"))
            }
            let pause = wait
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: pause) }
            } catch {
                return
            }
        }
    }
}
