import Synchronization

/// The named checks a connector reports from ``Connector/check()``: each feature records how it
/// fares as it runs, and `check()` returns them all (sorted by name). Details must never contain
/// secret values.
public final class HealthChecks: Sendable {
    private let checks = Mutex<[String: HealthReport.Check]>([:])

    /// No checks yet.
    public init() {}

    /// Records (or replaces) a check by its name.
    public func record(_ check: HealthReport.Check) { checks.withLock { $0[check.name] = check } }

    /// Forgets a check.
    public func remove(_ name: String) { _ = checks.withLock { $0.removeValue(forKey: name) } }

    /// Every check, sorted by name.
    public var all: [HealthReport.Check] { checks.withLock { Array($0.values) }.sorted { $0.name < $1.name } }
}
