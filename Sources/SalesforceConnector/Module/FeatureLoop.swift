import ConnectorKit
import Foundation
import Logging
import ServiceLifecycle

/// Runs one feature's periodic work (a sync, the ticket watcher) until shutdown, isolated from the
/// connector's other features: a failure is logged and retried on its own after a backoff (1 s,
/// doubling, never longer than the interval or ``maximumBackoff``) while the other features keep
/// serving; it never ends the connector's `run()`. A rate limit waits for the next interval (the
/// work resumes from its checkpoint), and so does a round skipped because the same sync already runs.
struct FeatureLoop: Sendable {
    /// For logs: `contact sync`, `ticket watch`.
    let name: String
    let interval: Duration
    let clock: ConnectorClock
    let logger: Logger

    /// The longest wait before retrying a failed round.
    static let maximumBackoff: Duration = .seconds(300)

    /// The wait before retry number `failures` (1-based): 1 s doubling, capped by `interval` and
    /// ``maximumBackoff``, up to 20 % shorter at random (so connectors do not retry in step).
    static func backoff(failures: Int, interval: Duration, random: Double = Double.random(in: 0...1)) -> Duration {
        Backoff(initial: .seconds(1), maximum: min(interval, maximumBackoff), jitter: .shorter(by: 0.2)).delay(attempt: failures, random: random)
    }

    /// Runs `work` now and then every `interval` (or sooner after a failure) until shutdown.
    func run(_ work: () async throws -> Void) async {
        var failures = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            var wait = interval
            do {
                try await work()
                failures = 0
            } catch is CancellationError {
                return
            } catch let error as SalesforceAPIError where error.isRateLimited {
                logger.warning("\(name) paused by the API limit; it resumes from its checkpoint", metadata: ["error": "\(error)"])
            } catch let error as SyncAlreadyRunning {
                logger.debug("\(error)")
            } catch {
                failures += 1
                wait = Self.backoff(failures: failures, interval: interval)
                logger.warning("\(name) failed; the connector's other features keep running, and this one is retried", metadata: [
                    "error": "\(error)", "failures": "\(failures)", "retry_in": .string(DurationFormat.format(wait)),
                ])
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
