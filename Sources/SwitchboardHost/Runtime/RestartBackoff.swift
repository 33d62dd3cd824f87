import ConnectorKit

/// When to restart a failed connector: exponential backoff with a cap and jitter, reset after a
/// run that lasted long enough to count as healthy. A pure value, so it is tested without waiting.
public struct RestartBackoff: Sendable, Hashable {
    /// The delay before the first restart.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration
    /// How much of each delay is randomized (0 = none, 0.2 = up to 20 % shorter).
    public var jitter: Double
    /// A run at least this long resets the attempt count.
    public var healthyRunTime: Duration

    /// Creates a policy. The defaults restart after 1 s, 2 s, 4 s … up to 60 s.
    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(60), jitter: Double = 0.2,
                healthyRunTime: Duration = .seconds(60))
    {
        self.initial = initial
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
        self.healthyRunTime = healthyRunTime
    }

    /// The delay before restart number `attempt` (1-based), with `random` in 0…1 choosing the jitter
    /// (``Backoff``, up to `jitter` shorter).
    public func delay(attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        Backoff(initial: initial, maximum: maximum, jitter: .shorter(by: jitter)).delay(attempt: attempt, random: random)
    }

    /// The attempt number after a run of `runTime` that ended in failure, given the previous one.
    public func nextAttempt(after previous: Int, runTime: Duration) -> Int {
        runTime >= healthyRunTime ? 1 : previous + 1
    }

}

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}
