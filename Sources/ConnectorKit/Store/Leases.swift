/// A lease on a piece of work that must run on one host at a time (a scheduled sync, a watcher):
/// who holds it and its fencing token, which grows each time the lease changes hands.
public struct Lease: Sendable, Hashable, CustomStringConvertible {
    /// The work: `<connector>/<check>` (`acme-salesforce/users`).
    public var name: String
    /// The host holding it.
    public var holder: String
    /// Grows at every change of holder: a write made under an older token is refused.
    public var token: Int64

    /// A lease as a store granted it.
    public init(name: String, holder: String, token: Int64) {
        self.name = name
        self.holder = holder
        self.token = token
    }

    public var description: String { "\(name) held by \(holder) (token \(token))" }

    /// The lease on one of a connector's long-lived streams (an employee's event stream):
    /// `<connector>/stream/<key>`.
    public static func streamName(connector: String, key: String) -> String { streamPrefix(connector: connector) + key }

    /// The names of a connector's stream leases start with this.
    public static func streamPrefix(connector: String) -> String { "\(connector)/stream/" }

    /// Whether a lease name is a stream's (``streamName(connector:key:)``) rather than a scheduled work's.
    public static func isStream(_ name: String) -> Bool {
        guard let slash = name.firstIndex(of: "/") else { return false }
        return name[name.index(after: slash)...].hasPrefix("stream/")
    }

    /// The leases the current task's writes are fenced by (set by ``ScheduledWork`` around a round,
    /// ``LeaseKeeper`` around its work): a store shared by several hosts refuses a write once any of
    /// them is lost. Usually one; a module's write made while several of its fenced syncs run
    /// carries each of theirs.
    @TaskLocal public static var fences: [Lease] = []

    /// Runs `body` with its writes fenced by `leases` as well as the current ones.
    public static func fenced<Result>(by leases: [Lease], _ body: () async throws -> Result) async rethrows -> Result {
        try await $fences.withValue(fences + leases, operation: body)
    }
}

/// Where leases are kept. Several hosts on one PostgreSQL database share its leases; a single host
/// (SQLite, memory) holds every lease by definition (``SingleHostLeases``).
public protocol LeaseStore: Sendable {
    /// Takes `name` for `holder` for `duration`, or renews it when `holder` has it: the lease, or nil
    /// while another holder's lease is unexpired. The token stays on renewal and grows on takeover.
    func acquireLease(_ name: String, holder: String, for duration: Duration) async throws -> Lease?
    /// Gives a lease up (at shutdown), so another host takes it over at once.
    func releaseLease(_ lease: Lease) async throws
    /// The unexpired leases whose names start with `prefix`, and their holders (one read, so a
    /// host need not try for every lease it could take to learn which are free).
    func leaseHolders(prefix: String) async throws -> [String: String]
}

/// One host: every lease is always this host's (nothing to coordinate).
public struct SingleHostLeases: LeaseStore {
    /// Leases for a host on its own.
    public init() {}
    public func acquireLease(_ name: String, holder: String, for duration: Duration) async throws -> Lease? {
        Lease(name: name, holder: holder, token: 1)
    }
    public func releaseLease(_ lease: Lease) async throws {}
    public func leaseHolders(prefix: String) async throws -> [String: String] { [:] }
}

/// A write refused because its lease moved to another host (the fencing token is stale).
public struct LeaseLost: Error, Sendable, Hashable, CustomStringConvertible {
    /// The lease the write was made under.
    public let lease: Lease

    /// The error for a write under `lease`.
    public init(_ lease: Lease) { self.lease = lease }

    public var description: String { "lease \(lease.name) (token \(lease.token)) is no longer \(lease.holder)'s: the write was refused" }
}
