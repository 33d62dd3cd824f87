import ConnectorKit

/// The store as readiness shows it: which kind, whether it answers, and — on a store several hosts
/// share — who holds each lease.
public struct StoreStatus: Sendable, Hashable, Encodable {
    /// One lease and how long it has left.
    public struct LeaseView: Sendable, Hashable, Encodable {
        /// `<connector>/<check>`.
        public var name: String
        /// The host holding it.
        public var holder: String
        /// The fencing token.
        public var token: Int64
        /// Seconds until it expires unrenewed (negative: expired, free to take).
        public var expiresInSeconds: Double
        /// Whether this host holds it.
        public var mine: Bool

        /// A lease as the store reports it.
        public init(name: String, holder: String, token: Int64, expiresInSeconds: Double, mine: Bool) {
            self.name = name
            self.holder = holder
            self.token = token
            self.expiresInSeconds = expiresInSeconds
            self.mine = mine
        }
    }

    /// `sqlite` or `postgres`.
    public var kind: String
    /// Whether the store answered just now.
    public var reachable: Bool
    /// This host's name among the hosts sharing the store.
    public var host: String?
    /// The leases (none on a store of one host).
    public var leases: [LeaseView]

    /// A status.
    public init(kind: String, reachable: Bool, host: String? = nil, leases: [LeaseView] = []) {
        self.kind = kind
        self.reachable = reachable
        self.host = host
        self.leases = leases
    }
}
