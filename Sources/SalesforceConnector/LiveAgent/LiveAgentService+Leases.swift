import ConnectorKit
import Foundation
import ServiceLifecycle

/// Several hosts on one store: each employee's stream is followed by one host, the holder of the
/// lease `<connector>/stream/<employee>`; every relayed entry is fenced by it. Any host serves the
/// API (a handoff started or written to on one host is streamed by another); a stream whose holder
/// died is taken by another host within the lease's duration and resumed from the stored position,
/// the entries already relayed dropped by the event log's de-duplication key (`handoff/entry`).
extension LiveAgentService {
    /// The lease on an employee's stream.
    func streamLeaseName(_ employee: String) -> String { Lease.streamName(connector: context.connectorName, key: employee) }

    /// Follows the employee's stream while this host holds its lease and they have open handoffs.
    /// Another host holding it, or taking it, ends the loop; this host then forgets the employee's
    /// handoffs (the holder relays them) until ``refresh()`` finds the stream free again.
    func leasedStreamLoop(_ employee: String) async {
        let keeper = LeaseKeeper(leases: context.leases, name: streamLeaseName(employee), holder: context.hostID, clock: context.clock)
        while true {
            var held = false
            do {
                let ran: Void? = try await keeper.run { lease -> Void in
                    self.state.withLock { $0.streamLeases[employee] = lease }
                    await self.followRetrying(employee) { !$0.hasOpen(employee) }
                }
                held = ran != nil
                if !held { context.logger.debug("live-agent stream followed by another host", metadata: ["employee": .string(employee)]) }
            } catch let lost as LeaseLost {
                context.logger.notice("live-agent stream moved to another host; this one stops relaying it", metadata: ["lease": "\(lost.lease)"])
            } catch is CancellationError {
            } catch {
                context.logger.warning("live-agent stream lease could not be taken; tried again at the next refresh",
                                       metadata: ["employee": .string(employee), "error": "\(error)"])
            }
            // The lease is given up by now: a handoff opened meanwhile goes on here, under a new one.
            let again = state.withLock { state in
                state.streamLeases[employee] = nil
                if held, state.hasOpen(employee), !Task.isCancelled, !Task.isShuttingDownGracefully { return true }
                if !held { state.drop(employee) }
                return false
            }
            if !again { break }
        }
        stopStreaming(employee)
    }

    /// How often the store is read for streams to take over and handoffs ended elsewhere.
    static var refreshInterval: Duration { ScheduledWork.leaseRenewal }

    /// Reads the store now and then every ``refreshInterval`` until shutdown.
    func refreshLoop() async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await refresh()
            } catch is CancellationError {
                return
            } catch {
                context.logger.warning("live-agent: open handoffs could not be read; tried again shortly", metadata: ["error": "\(error)"])
            }
            do { try await cancelWhenGracefulShutdown { try await self.context.clock.sleep(for: Self.refreshInterval) } } catch { return }
        }
    }

    /// One look at the store: streams nobody holds (a new handoff's, a dead host's) are taken;
    /// handoffs that appeared for a stream followed here are relayed from their start; handoffs
    /// ended on another host are forgotten.
    func refresh() async throws {
        let started = context.clock.now()
        let records = try await context.handoffs.open()
        let holders = try await context.leases.leaseHolders(prefix: Lease.streamPrefix(connector: context.connectorName))
        let openIDs = Set(records.map(\.id))
        let byEmployee = Dictionary(grouping: records, by: \.employeeId)
        let (starts, backfills) = state.withLock { state -> ([String], [(Lease, [HandoffRecord])]) in
            for record in state.open.values where !openIDs.contains(record.id) && record.updatedAt < started { state.remove(record) }
            var starts: [String] = [], backfills: [(Lease, [HandoffRecord])] = []
            for (employee, records) in byEmployee {
                if state.streaming.contains(employee) {
                    let fresh = records.filter { state.open[$0.id] == nil }
                    guard !fresh.isEmpty, let lease = state.streamLeases[employee] else { continue }
                    for record in fresh { state.add(record) }
                    backfills.append((lease, fresh))
                } else if (holders[streamLeaseName(employee)] ?? context.hostID) == context.hostID {
                    for record in records where state.open[record.id] == nil { state.add(record) }
                    starts.append(employee)
                }
            }
            return (starts, backfills)
        }
        if !starts.isEmpty { context.logger.info("live-agent: taking streams nobody follows", metadata: ["employees": "\(starts.count)"]) }
        for employee in starts.sorted() { ensureStream(employee) }
        for (lease, records) in backfills {
            do {
                try await Lease.fenced(by: [lease]) { try await backfill(records) }
            } catch is LeaseLost {
                // The stream moved; its new holder relays these.
            }
        }
    }

    /// The handoff of a conversation the employee's stream named that this host does not know:
    /// started or reopened on another host. Read from the store (once per conversation per
    /// ``refreshInterval``), relayed from its start, then followed here.
    func adopt(conversationId: String, employee: String) async throws -> String? {
        let now = context.clock.now()
        let look = state.withLock { state -> Bool in
            if let last = state.lookedUp[conversationId], now.timeIntervalSince(last) < Double(Self.refreshInterval.components.seconds) { return false }
            state.lookedUp = state.lookedUp.filter { now.timeIntervalSince($0.value) < 60 }
            state.lookedUp[conversationId] = now
            return true
        }
        guard look, let record = try await context.handoffs.open().first(where: { $0.conversationId == conversationId && $0.employeeId == employee })
        else { return nil }
        let adopted = state.withLock { state -> Bool in
            guard state.open[record.id] == nil else { return false }
            state.add(record)
            return true
        }
        if adopted { try await backfill([record]) }
        return record.id
    }
}
