/// The result of ``Connector/check()``: an overall status and the individual checks behind it.
///
/// Details must never contain secret values; they are shown on `/readyz` and by `switchboard doctor`.
public struct HealthReport: Sendable, Hashable, Codable {
    /// How usable a connector or one of its parts is.
    public enum Status: String, Sendable, Hashable, Codable, Comparable {
        /// Works.
        case healthy
        /// Works partly or slowly (rate-limited, paused).
        case degraded
        /// Does not work.
        case unhealthy

        private var rank: Int { self == .healthy ? 0 : self == .degraded ? 1 : 2 }
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    /// One named check (`token`, `api-limits`, `stream`) with its result.
    public struct Check: Sendable, Hashable, Codable {
        /// Short name of what was checked.
        public var name: String
        /// The result.
        public var status: Status
        /// What was seen and, when not healthy, what to do about it.
        public var detail: String

        /// Creates a check result.
        public init(name: String, status: Status, detail: String) {
            self.name = name
            self.status = status
            self.detail = detail
        }
    }

    /// The individual checks.
    public var checks: [Check]

    /// The worst status among the checks; healthy when there are none.
    public var status: Status { checks.map(\.status).max() ?? .healthy }

    /// Creates a report from its checks.
    public init(checks: [Check]) { self.checks = checks }

    /// A report with a single healthy check.
    public static func healthy(_ name: String = "connector", detail: String = "ok") -> HealthReport {
        HealthReport(checks: [Check(name: name, status: .healthy, detail: detail)])
    }
}
