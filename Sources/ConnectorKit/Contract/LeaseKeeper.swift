import Foundation

/// Runs one piece of work that lasts (an employee's event stream) under a lease, renewing it while
/// the work runs: the work is fenced by the lease (``Lease/fences``), cancelled once the lease is
/// lost, and the lease is given up when the work ends, so another host can take it at once.
///
/// ``ScheduledWork`` keeps its own lease from round to round; this is for work that never pauses.
public struct LeaseKeeper: Sendable {
    /// Where the lease is kept.
    public var leases: any LeaseStore
    /// The lease's name.
    public var name: String
    /// This host.
    public var holder: String
    /// How long the lease lasts unrenewed, and how often it is renewed.
    public var timing: (duration: Duration, renewal: Duration)
    /// The connector's clock (renewal pauses; how long renewals have failed).
    public var clock: ConnectorClock

    /// A keeper of `name` for `holder`; ``ScheduledWork``'s lease timing unless told otherwise.
    public init(leases: any LeaseStore, name: String, holder: String, clock: ConnectorClock,
                timing: (duration: Duration, renewal: Duration) = (ScheduledWork.leaseDuration, ScheduledWork.leaseRenewal)) {
        self.leases = leases
        self.name = name
        self.holder = holder
        self.timing = timing
        self.clock = clock
    }

    /// Takes the lease and runs `work` under it: nil when another host holds it (nothing ran),
    /// otherwise what `work` returned. Throws ``LeaseLost`` when the lease was lost while `work`
    /// ran (it is cancelled): a renewal was refused, or renewals failed for the lease's duration.
    public func run<Result: Sendable>(_ work: @escaping @Sendable (Lease) async throws -> Result) async throws -> Result? {
        guard let lease = try await leases.acquireLease(name, holder: holder, for: timing.duration) else { return nil }
        let result: Result
        do {
            result = try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { try await Lease.fenced(by: [lease]) { try await work(lease) } }
                group.addTask {
                    try await keep(lease)
                    return nil
                }
                defer { group.cancelAll() }
                // The renewals only end by throwing (or by cancellation once the work is done).
                while let next = try await group.next() {
                    if let next { return next }
                }
                throw CancellationError()
            }
        } catch {
            try? await leases.releaseLease(lease)
            throw error
        }
        try? await leases.releaseLease(lease)
        return result
    }

    /// Renews `lease` every ``timing``'s renewal until cancelled; throws ``LeaseLost`` when the
    /// store gives it to another host, or when it could not be renewed for its whole duration.
    private func keep(_ lease: Lease) async throws {
        var renewedAt = clock.now()
        let duration = timing.duration.seconds
        while true {
            try await clock.sleep(for: timing.renewal)
            do {
                // A new token means the lease lapsed and was taken again: the work's writes are fenced
                // by the old one, so it starts over.
                guard try await leases.acquireLease(name, holder: holder, for: timing.duration)?.token == lease.token else { throw LeaseLost(lease) }
                renewedAt = clock.now()
            } catch let lost as LeaseLost {
                throw lost
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The store did not answer: the lease still holds until its expiry.
                if clock.now().timeIntervalSince(renewedAt) >= duration { throw LeaseLost(lease) }
            }
        }
    }
}
