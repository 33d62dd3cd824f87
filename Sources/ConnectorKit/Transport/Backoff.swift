/// Exponential backoff with a cap and jitter — the one policy every retry loop of the host and its
/// modules uses (HTTP retries, event-stream reconnects, connector restarts, feature retries,
/// live-agent streams). A pure value: `random` is passed in, so every delay is tested without waiting.
///
/// The delay before retry number `attempt` (1-based) is `initial · 2^(attempt − 1)`, capped at
/// `maximum`, then jittered so that many clients failing together do not retry in step. Delays are
/// whole milliseconds.
public struct Backoff: Sendable, Hashable {
    /// How the delay is randomized.
    public enum Jitter: Sendable, Hashable {
        /// None: exactly the exponential delay.
        case none
        /// Anywhere from zero to the delay ("full jitter"): the widest spread, for requests.
        case full
        /// Half fixed, half random: spread, but never close to zero (reconnects).
        case equal
        /// Up to this fraction shorter (0.2: 80–100 % of the delay).
        case shorter(by: Double)
    }

    /// The delay before the first retry (before jitter).
    public var initial: Duration
    /// The longest delay (before jitter).
    public var maximum: Duration
    /// How the delay is randomized.
    public var jitter: Jitter

    /// Creates a policy.
    public init(initial: Duration, maximum: Duration, jitter: Jitter) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.jitter = jitter
    }

    /// The delay before retry number `attempt` (1-based), `random` in 0…1 choosing the jitter.
    public func delay(attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let r = min(max(random, 0), 1)
        let ceiling = min(Self.milliseconds(initial) * pow2(min(max(attempt - 1, 0), 40)), Self.milliseconds(maximum))
        let value = switch jitter {
        case .none: ceiling
        case .full: ceiling * r
        case .equal: ceiling / 2 + ceiling / 2 * r
        case .shorter(let fraction): ceiling * (1 - min(max(fraction, 0), 1) * r)
        }
        return .milliseconds(Int64(value.rounded()))
    }

    private func pow2(_ n: Int) -> Double { Double(UInt64(1) << UInt64(n)) }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }
}
