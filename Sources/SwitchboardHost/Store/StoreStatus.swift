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

    /// How many employee streams (live-agent) one host follows: stream leases are counted per
    /// holder rather than listed, one per employee.
    public struct StreamCount: Sendable, Hashable, Encodable {
        /// The host.
        public var holder: String
        /// The streams it holds.
        public var streams: Int
        /// Whether it is this host.
        public var mine: Bool

        /// A count as the store reports it.
        public init(holder: String, streams: Int, mine: Bool) {
            self.holder = holder
            self.streams = streams
            self.mine = mine
        }
    }

    /// `sqlite` or `postgres`.
    public var kind: String
    /// Whether the store answered just now.
    public var reachable: Bool
    /// This host's name among the hosts sharing the store.
    public var host: String?
    /// The leases of scheduled work (none on a store of one host).
    public var leases: [LeaseView]
    /// The unexpired stream leases, counted per holder (none on a store of one host).
    public var streams: [StreamCount]

    /// A status.
    public init(kind: String, reachable: Bool, host: String? = nil, leases: [LeaseView] = [], streams: [StreamCount] = []) {
        self.kind = kind
        self.reachable = reachable
        self.host = host
        self.leases = leases
        self.streams = streams
    }
}
