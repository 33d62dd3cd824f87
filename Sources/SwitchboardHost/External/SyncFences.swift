import ConnectorKit
import Synchronization

/// The leases of an external connector's syncs in flight. A module's writes arrive as its own
/// calls, outside the task of the host's round (``ScheduledWork`` fences that task), so the host
/// fences the writes a module makes while a fenced sync runs by that sync's lease: a host that lost
/// the lease cannot commit the module's records, checkpoints, state or events either.
final class SyncFences: Sendable {
    private struct Sync {
        var leases: [Lease]
        /// A write under one of them was refused.
        var lost: LeaseLost?
    }

    private let active = Mutex<(next: Int, syncs: [Int: Sync])>((0, [:]))

    /// Runs `body` (the `sync.run` call) with the current task's fences counted as in flight. When
    /// the module's sync failed because a write of it was refused, the error is that ``LeaseLost``
    /// (whatever the module made of it), so the round ends as one whose lease moved.
    func during<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let fences = Lease.fences
        guard !fences.isEmpty else { return try await body() }
        let key = active.withLock { state in
            state.next += 1
            state.syncs[state.next] = Sync(leases: fences)
            return state.next
        }
        do {
            let result = try await body()
            _ = active.withLock { $0.syncs.removeValue(forKey: key) }
            return result
        } catch {
            let lost = active.withLock { $0.syncs.removeValue(forKey: key)?.lost }
            throw lost ?? error
        }
    }

    /// Every lease of the syncs in flight.
    var all: [Lease] { active.withLock { Array(Set($0.syncs.values.flatMap(\.leases))) } }

    /// Runs a module's write fenced by the leases of every sync in flight.
    func fence<Result>(_ write: () async throws -> Result) async throws -> Result {
        do {
            return try await Lease.fenced(by: all, write)
        } catch let lost as LeaseLost {
            active.withLock { state in
                for (key, sync) in state.syncs where sync.leases.contains(lost.lease) { state.syncs[key]?.lost = lost }
            }
            throw lost
        }
    }
}
