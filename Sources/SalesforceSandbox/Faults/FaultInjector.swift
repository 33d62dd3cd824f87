import Synchronization

/// The active faults, matched per request in the order they were added.
public final class FaultInjector: Sendable {
    private struct Entry: Sendable {
        var rule: FaultRule
        var remaining: Int?
    }

    private let entries = Mutex<[Entry]>([])

    /// No faults.
    public init() {}

    /// Adds a fault.
    public func add(_ rule: FaultRule) {
        entries.withLock { $0.append(Entry(rule: rule, remaining: rule.times)) }
    }

    /// Removes every fault.
    public func clear() { entries.withLock { $0.removeAll() } }

    /// The active faults, with how many uses each has left.
    public var active: [FaultRule] {
        entries.withLock { $0.map { var rule = $0.rule; rule.times = $0.remaining; return rule } }
    }

    /// The first fault that applies to a request, consuming one use of it.
    func take(method: String, path: String, query: String = "") -> FaultRule? {
        entries.withLock { entries in
            guard let index = entries.firstIndex(where: { entry in
                path.hasPrefix(entry.rule.path) && (entry.rule.method.map { $0.uppercased() == method.uppercased() } ?? true)
                    && (entry.rule.queryContains.map { query.contains($0) } ?? true)
            }) else { return nil }
            let rule = entries[index].rule
            if let remaining = entries[index].remaining {
                if remaining <= 1 { entries.remove(at: index) } else { entries[index].remaining = remaining - 1 }
            }
            return rule
        }
    }
}
