import ConnectorKit
import Foundation
import Logging
import ModuleProtocol
@testable import SwitchboardHost
import SwitchboardPostgres
import Synchronization
import Testing

/// Leases on one PostgreSQL database: work that must run once runs on one host, moves to another
/// when its holder stops renewing, and a host that lost its lease cannot write under it.
@Suite("PostgreSQL leases: one holder, takeover, fencing", .serialized)
struct LeaseTests {
    static let quiet = Logger(label: "lease-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func withStore(_ body: @Sendable (PostgresStore) async throws -> Void) async throws {
        try await SharedStoreTests.withScratchDatabase(try #require(SharedStoreTests.postgresURL)) { location in
            try await PostgresStore.withStore(location, password: nil, logger: quiet, body)
        }
    }

    @Test(.enabled(if: SharedStoreTests.postgresURL != nil), .timeLimit(.minutes(1))) func oneHolderTakeoverAndFencing() async throws {
        try await Self.withStore { store in
            // Lasting 2 s: the checks before the stall fit in it even on a loaded machine.
            let first = try #require(try await store.acquireLease("sf/users", holder: "host-a", for: .seconds(2)))
            #expect(first.token == 1)
            #expect(try await store.acquireLease("sf/users", holder: "host-b", for: .seconds(10)) == nil, "held by host-a")
            #expect(try await store.acquireLease("sf/users", holder: "host-a", for: .seconds(2))?.token == 1, "renewal keeps the token")
            // host-a writes under its lease.
            try await Lease.fenced(by: [first]) {
                _ = try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(SharedStoreTests.user(1))], checkpoint: "c1"))
            }
            // host-a stalls past its lease; host-b takes over with a new token.
            try await Task.sleep(for: .milliseconds(2300))
            let second = try #require(try await store.acquireLease("sf/users", holder: "host-b", for: .seconds(10)))
            #expect(second.token == 2)
            #expect(try await store.acquireLease("sf/users", holder: "host-a", for: .seconds(10)) == nil, "host-a cannot take it back")
            // host-a's late writes are refused (checkpoint, records, module state, events); host-b's go through.
            await #expect(throws: LeaseLost.self) {
                try await Lease.fenced(by: [first]) {
                    _ = try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(SharedStoreTests.user(2))], checkpoint: "stale"))
                }
            }
            await #expect(throws: LeaseLost.self) {
                try await Lease.fenced(by: [first]) { try await store.setModuleState(connector: "sf", key: "k", value: Data([1])) }
            }
            await #expect(throws: LeaseLost.self) {
                try await Lease.fenced(by: [first]) {
                    _ = try await store.emit(ConnectorEvent(connector: "sf", payload: .ticket(TicketEvent(
                        ticketId: "500X", requesterEmail: nil, kind: .statusChanged(from: nil, to: "New"), occurredAt: Date()))))
                }
            }
            #expect(try await store.checkpoint(connector: "sf", stream: "users")?.cursor == "c1", "nothing of the refused batch landed")
            #expect(try await store.ids(connector: "sf", stream: "users") == ["003SBX1"])
            try await Lease.fenced(by: [second]) {
                _ = try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [.user(SharedStoreTests.user(2))], checkpoint: "c2"))
            }
            #expect(try await store.checkpoint(connector: "sf", stream: "users")?.cursor == "c2")
            // A released lease is free at once, and its token still grows.
            try await store.releaseLease(second)
            #expect(try await store.acquireLease("sf/users", holder: "host-c", for: .seconds(10))?.token == 3)
            #expect(try await store.leases().map(\.lease.holder) == ["host-c"])
        }
    }

    /// An external module's writes arrive as its own calls, outside the round's task: while a sync
    /// runs under a lease, they are fenced by it, and a sync whose write was refused ends as
    /// ``LeaseLost`` whatever the module answered.
    @Test(.enabled(if: SharedStoreTests.postgresURL != nil), .timeLimit(.minutes(1))) func moduleWritesAreFencedByTheSyncInFlight() async throws {
        try await Self.withStore { store in
            let http = HTTPTransport(logger: Self.quiet)
            defer { Task { try? await http.shutdown() } }
            let context = ConnectorContext(connectorName: "mod", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil,
                                                                                                             baseDirectory: "/", environment: [:])),
                                           http: http, store: store, sink: store, events: store, handoffs: store, logger: Self.quiet)
            let services = ModuleHostServices(module: "mod", configuration: ConnectorConfiguration(name: "mod", module: "mod", features: [], settings: SettingsObject()),
                                              schema: SettingsSchema([]), context: context)
            func commit(_ number: Int) -> JSONValue {
                .object([("stream", .string("users")), ("checkpoint", .string("c\(number)")), ("upserts", .array([.object([("user", .object([
                    ("id", .string("003MOD\(number)")), ("email", .string("p\(number)@acme.example")), ("modifiedAt", .string("2026-11-25T10:00:00Z")),
                ]))])]))])
            }
            let first = try #require(try await store.acquireLease("mod/users", holder: "host-a", for: .milliseconds(400)))
            // The module commits while host-a's sync runs under the lease.
            try await Lease.fenced(by: [first]) {
                _ = try await services.fences.during { try await services.handle("records.commit", commit(1)) }
            }
            #expect(try await store.checkpoint(connector: "mod", stream: "users")?.cursor == "c1")
            // host-a stalls past its lease and host-b takes it: the module's late commit is refused,
            // and the sync (which answered with the module's own error) ends as LeaseLost.
            try await Task.sleep(for: .milliseconds(600))
            _ = try #require(try await store.acquireLease("mod/users", holder: "host-b", for: .seconds(10)))
            await #expect(throws: LeaseLost.self) {
                try await Lease.fenced(by: [first]) {
                    _ = try await services.fences.during { () async throws -> JSONValue in
                        do {
                            return try await services.handle("records.commit", commit(2))
                        } catch let error as RPCError {
                            #expect(error.connectorError.code == .conflict, "the module is told its run moved: \(error.message)")
                            throw ConnectorError.unavailable("the module's sync failed: \(error.message)")
                        }
                    }
                }
            }
            #expect(try await store.checkpoint(connector: "mod", stream: "users")?.cursor == "c1", "nothing of the refused commit landed")
            #expect(try await store.ids(connector: "mod", stream: "users") == ["003MOD1"])
            // Outside a fenced sync (a single host, a module writing on its own), writes are not fenced.
            _ = try await services.handle("state.set", .object([("key", .string("k")), ("value", .string("AQ=="))]))
            #expect(try await store.moduleState(connector: "mod", key: "k") == Data([1]))
        }
    }

    /// Work that lasts (an employee's stream) under a LeaseKeeper: one host runs it, another finds
    /// it taken; when the holder's renewals stop answering, its work is cancelled with LeaseLost
    /// once the lease's duration has passed, and the other host takes the lease; work that ends
    /// gives its lease up at once.
    @Test(.enabled(if: SharedStoreTests.postgresURL != nil), .timeLimit(.minutes(1))) func leaseKeeperHoldsWhileWorkRuns() async throws {
        try await Self.withStore { store in
            let stalling = StallingLeases(store)
            let timing: (duration: Duration, renewal: Duration) = (.milliseconds(600), .milliseconds(100))
            let a = LeaseKeeper(leases: stalling, name: "sf/stream/emp-1", holder: "host-a", clock: .system, timing: timing)
            let b = LeaseKeeper(leases: store, name: "sf/stream/emp-1", holder: "host-b", clock: .system, timing: timing)
            let started = Mutex(false)
            let running = Task {
                try await a.run { lease -> Int64 in
                    started.withLock { $0 = true }
                    #expect(Lease.fences == [lease], "the work is fenced by its lease")
                    try await Task.sleep(for: .seconds(30))
                    return lease.token
                }
            }
            while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(300))  // past a few renewals
            #expect(try await b.run { _ in 1 } == nil, "host-a holds it")
            stalling.stalled.store(true, ordering: .relaxed)
            let stalledAt = ContinuousClock.now
            await #expect(throws: LeaseLost.self) { _ = try await running.value }
            #expect(ContinuousClock.now - stalledAt >= .milliseconds(400), "lost only once the lease could have expired")
            #expect(try await b.run { lease in lease.token } == 2, "host-b takes it over with a new token")
            stalling.stalled.store(false, ordering: .relaxed)
            #expect(try await a.run { lease in lease.token } == 3, "tokens keep growing across releases")
            #expect(try await store.leaseHolders(prefix: "sf/stream/").isEmpty, "work that ended gave its lease up")
        }
    }

    /// A store that can stop answering lease calls, as a host that hangs would.
    final class StallingLeases: LeaseStore {
        let base: PostgresStore
        let stalled = Atomic(false)
        init(_ base: PostgresStore) { self.base = base }
        func acquireLease(_ name: String, holder: String, for duration: Duration) async throws -> Lease? {
            guard !stalled.load(ordering: .relaxed) else { throw ConnectorError.unavailable("stalled") }
            return try await base.acquireLease(name, holder: holder, for: duration)
        }
        func releaseLease(_ lease: Lease) async throws { try await base.releaseLease(lease) }
        func leaseHolders(prefix: String) async throws -> [String: String] { try await base.leaseHolders(prefix: prefix) }
    }

    /// Two hosts run the same scheduled work: only the lease holder runs rounds; when it stops
    /// renewing, the other takes over within the lease's duration and runs from there on.
    @Test(.enabled(if: SharedStoreTests.postgresURL != nil), .timeLimit(.minutes(1))) func scheduledWorkRunsOnOneHostAndMoves() async throws {
        try await Self.withStore { store in
            let http = HTTPTransport(logger: Self.quiet)
            do {
                try await Self.twoHosts(store, http: http)
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    /// The rounds each host ran, in order.
    final class Rounds: Sendable {
        let hosts = Mutex<[String]>([])
        func add(_ host: String) { hosts.withLock { $0.append(host) } }
        var all: [String] { hosts.withLock { $0 } }
    }

    static func work(_ host: String, leases: any LeaseStore, store: PostgresStore, http: HTTPTransport) -> ScheduledWork {
        let context = ConnectorContext(connectorName: "sf", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil,
                                                                                                          baseDirectory: "/", environment: [:])),
                                       http: http, store: store, sink: store, events: store, handoffs: store, logger: quiet,
                                       leases: leases, hostID: host)
        var work = ScheduledWork(name: "contact sync", check: "users", interval: .milliseconds(100), context: context)
        work.leaseTiming = (.milliseconds(600), .milliseconds(100))
        return work
    }

    static func twoHosts(_ store: PostgresStore, http: HTTPTransport) async throws {
        let stalling = StallingLeases(store)
        let rounds = Rounds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (host, leases) in [("host-a", stalling as any LeaseStore), ("host-b", store as any LeaseStore)] {
                let work = Self.work(host, leases: leases, store: store, http: http)
                group.addTask {
                    await work.run {
                        // Each round commits under its lease (fenced), as a sync does.
                        _ = try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [], checkpoint: "\(host)-\(Date().timeIntervalSince1970)"))
                        rounds.add(host)
                        return ""
                    }
                }
                try await Task.sleep(for: .milliseconds(150))  // host-a first
            }
            try await Task.sleep(for: .seconds(1))
            let before = rounds.all
            #expect(!before.isEmpty && Set(before) == ["host-a"], "only the holder runs rounds: \(before)")
            stalling.stalled.store(true, ordering: .relaxed)
            let stalledAt = ContinuousClock.now
            var tookOver: Duration?
            while tookOver == nil, ContinuousClock.now - stalledAt < .seconds(5) {
                try await Task.sleep(for: .milliseconds(50))
                if rounds.all.contains("host-b") { tookOver = ContinuousClock.now - stalledAt }
            }
            let bound = try #require(tookOver, "host-b took over")
            #expect(bound < .seconds(2), "within the lease's duration and a renewal: \(bound)")
            try await Task.sleep(for: .milliseconds(500))
            group.cancelAll()
        }
        let all = rounds.all
        let firstB = all.firstIndex(of: "host-b") ?? all.count
        #expect(!all[firstB...].contains("host-a"), "host-a ran no round after host-b took over: \(all)")
    }
}
