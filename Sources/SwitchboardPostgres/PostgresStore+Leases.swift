import ConnectorKit
import PostgresNIO
import SwitchboardHost

extension PostgresStore: LeaseStore {
    /// Takes or renews a lease on the database's clock (every host agrees on expiry): renewal by
    /// its holder keeps the token, a takeover of an expired lease increments it.
    public func acquireLease(_ name: String, holder: String, for duration: Duration) async throws -> Lease? {
        let milliseconds = Int64(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        let rows = try await client.query("""
            INSERT INTO leases (name, holder, token, expires_at) VALUES (\(name), \(holder), 1, now() + \(milliseconds) * interval '1 millisecond')
            ON CONFLICT (name) DO UPDATE SET
                token = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > now() THEN leases.token ELSE leases.token + 1 END,
                holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= now()
            RETURNING token
            """, logger: logger)
        for try await token in rows.decode(Int64.self) { return Lease(name: name, holder: holder, token: token) }
        return nil
    }

    /// Expires the lease rather than deleting it, so its next holder's token still grows (a token
    /// never comes back while a task fenced by it may live); leases expired for an hour are removed.
    public func releaseLease(_ lease: Lease) async throws {
        try await transaction { connection in
            try await connection.query("""
                UPDATE leases SET expires_at = now() - interval '1 millisecond'
                WHERE name = \(lease.name) AND holder = \(lease.holder) AND token = \(lease.token) AND expires_at > now()
                """, logger: logger)
            try await connection.query("DELETE FROM leases WHERE expires_at < now() - interval '1 hour'", logger: logger)
        }
    }

    public func leaseHolders(prefix: String) async throws -> [String: String] {
        let rows = try await client.query("""
            SELECT name, holder FROM leases WHERE starts_with(name, \(prefix)) AND expires_at > now()
            """, logger: logger)
        var holders: [String: String] = [:]
        for try await (name, holder) in rows.decode((String, String).self) { holders[name] = holder }
        return holders
    }

    /// The leases and their holders now (for readiness and metrics).
    public func leases() async throws -> [(lease: Lease, expiresInSeconds: Double)] {
        let rows = try await client.query("""
            SELECT name, holder, token, EXTRACT(EPOCH FROM expires_at - now())::float8 FROM leases ORDER BY name COLLATE "C"
            """, logger: logger)
        var leases: [(lease: Lease, expiresInSeconds: Double)] = []
        for try await (name, holder, token, left) in rows.decode((String, String, Int64, Double).self) {
            leases.append((Lease(name: name, holder: holder, token: token), left))
        }
        return leases
    }

    /// Inside a write transaction: refuses the write when the task works under a lease
    /// (``Lease/fences``) that is no longer its holder's with that token. The row is locked until
    /// the commit, so a takeover waits for this write rather than racing it.
    func checkFence(on connection: PostgresConnection) async throws {
        for fence in Lease.fences {
            let rows = try await connection.query("""
                SELECT 1 FROM leases WHERE name = \(fence.name) AND holder = \(fence.holder) AND token = \(fence.token) AND expires_at > now() FOR SHARE
                """, logger: logger)
            var held = false
            for try await _ in rows { held = true }
            if !held { throw LeaseLost(fence) }
        }
    }
}

extension PostgresStore {
    /// How long readiness waits for the database before calling it unreachable.
    static let statusTimeout: Duration = .seconds(2)

    /// Whether the database answers now, and every lease with its holder (readiness).
    public func status(host: String) async -> StoreStatus {
        // A database that is down must not hold readiness up: no answer within the limit is "unreachable".
        let answer = try? await withThrowingTaskGroup(of: [(lease: Lease, expiresInSeconds: Double)]?.self) { group in
            group.addTask { try await self.leases() }
            group.addTask {
                try await Task.sleep(for: Self.statusTimeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let leases = answer ?? nil else { return StoreStatus(kind: "postgres", reachable: false, host: host) }
        let streams = Dictionary(grouping: leases.filter { Lease.isStream($0.lease.name) && $0.expiresInSeconds > 0 }, by: \.lease.holder)
        return StoreStatus(kind: "postgres", reachable: true, host: host, leases: leases.filter { !Lease.isStream($0.lease.name) }.map {
            StoreStatus.LeaseView(name: $0.lease.name, holder: $0.lease.holder, token: $0.lease.token, expiresInSeconds: $0.expiresInSeconds,
                                  mine: $0.lease.holder == host)
        }, streams: streams.keys.sorted().map { StoreStatus.StreamCount(holder: $0, streams: streams[$0]?.count ?? 0, mine: $0 == host) })
    }
}
