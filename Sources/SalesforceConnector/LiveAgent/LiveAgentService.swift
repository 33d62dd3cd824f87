import ConnectorKit
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The `live-agent` feature: hands employees to human agents over Enhanced Messaging.
///
/// Per employee: one ``EmployeeSession`` (access token) and **one** event stream, shared by that
/// employee's conversations and open while any of them is. Every forwarded entry goes to the
/// host's event log with the de-duplication key `handoff/entry`, so an entry seen twice — after a
/// reconnect's backfill from `/entries`, a replay, or a restart — is delivered once. Handoffs
/// live in the host's store and are resumed by ``run()``.
///
/// On a store several hosts share, each employee's stream runs on one host, under the lease
/// `<connector>/stream/<employee>` (``LiveAgentService+Leases``): any host serves the API, the
/// stream's holder relays, and a dead holder's streams are taken over from the stored position.
final class LiveAgentService: LiveAgent, Sendable {
    struct State {
        var sessions: [String: EmployeeSession] = [:]
        /// Open handoffs by id, and their ids by conversation.
        var open: [String: HandoffRecord] = [:]
        var byConversation: [String: String] = [:]
        /// Open handoff ids by employee.
        var byEmployee: [String: Set<String>] = [:]

        mutating func add(_ record: HandoffRecord) {
            open[record.id] = record
            byConversation[record.conversationId] = record.id
            byEmployee[record.employeeId, default: []].insert(record.id)
        }

        mutating func remove(_ record: HandoffRecord) {
            open[record.id] = nil
            byConversation[record.conversationId] = nil
            byEmployee[record.employeeId]?.remove(record.id)
            if byEmployee[record.employeeId]?.isEmpty == true { byEmployee[record.employeeId] = nil }
        }

        /// Forgets an employee's handoffs (their stream is another host's).
        mutating func drop(_ employee: String) {
            for record in openRecords(employee) { remove(record) }
        }

        func hasOpen(_ employee: String) -> Bool { byEmployee[employee] != nil }
        func openRecords(_ employee: String) -> [HandoffRecord] { (byEmployee[employee] ?? []).compactMap { open[$0] } }
        /// Employees whose stream task runs.
        var streaming: Set<String> = []
        /// The stream leases this host holds, by employee (several hosts on one store).
        var streamLeases: [String: Lease] = [:]
        /// When a conversation the stream named was last looked for in the store.
        var lookedUp: [String: Date] = [:]
        var refusal: String?
    }

    let settings: LiveAgentSettings
    let context: ConnectorContext
    let client: MessagingClient
    let state = Mutex(State())
    /// Whether several hosts share the store (each employee's stream is leased to one of them).
    let shared: Bool
    private let streamRequests: AsyncStream<String>
    private let requestStream: AsyncStream<String>.Continuation

    init(settings: LiveAgentSettings, context: ConnectorContext) {
        self.settings = settings
        self.context = context
        self.client = MessagingClient(settings: settings, http: context.http, signer: context.signer, connector: context.connectorName)
        self.shared = !(context.leases is SingleHostLeases)
        (streamRequests, requestStream) = AsyncStream<String>.makeStream()
    }

    // MARK: Running

    /// Resumes the stored open handoffs, then runs one stream task per employee with open
    /// handoffs until graceful shutdown. With several hosts, the streams this host may take are
    /// found by ``refreshLoop()`` instead.
    func run() async throws {
        if !shared {
            for record in try await context.handoffs.open() { register(record) }
            let employees = state.withLock { Set($0.open.values.map(\.employeeId)) }
            if !employees.isEmpty { context.logger.info("resuming handoffs", metadata: ["employees": "\(employees.count)"]) }
            for employee in employees.sorted() { ensureStream(employee) }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if shared { group.addTask { await self.refreshLoop() } }
                for await employee in streamRequests {
                    group.addTask { self.shared ? await self.leasedStreamLoop(employee) : await self.streamLoop(employee) }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.requestStream.finish()
        }
    }

    /// How long a failed employee stream waits before it is opened again.
    static let streamBackoff = Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: .shorter(by: 0.2))

    /// Follows an employee's stream while they have open handoffs; failures back off and retry.
    private func streamLoop(_ employee: String) async {
        await followRetrying(employee) { state in
            guard !state.hasOpen(employee) else { return false }
            state.streaming.remove(employee)
            return true
        }
        stopStreaming(employee)
    }

    /// Follows an employee's stream until `isDone` (checked under the state's lock after each
    /// connection ends) or shutdown; failures back off and retry. A refused write under a lost
    /// lease ends it (``LeaseLost``): the stream is another host's now.
    func followRetrying(_ employee: String, until isDone: (inout State) -> Bool) async {
        var failures = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await self.follow(employee) }
                failures = 0
            } catch is CancellationError {
                break
            } catch is LeaseLost {
                break
            } catch {
                failures += 1
                context.logger.warning("live-agent stream failed; retrying", metadata: ["employee": .string(employee), "error": "\(error)"])
                let delay = Self.streamBackoff.delay(attempt: failures)
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) } } catch { break }
            }
            // Stop when nothing is open any more (atomically with ensureStream's check).
            if state.withLock({ isDone(&$0) }) { return }
        }
    }

    /// One subscription: backfill, then events until the employee has no open handoff.
    private func follow(_ employee: String) async throws {
        let session = self.session(employee)
        let stored = state.withLock { $0.openRecords(employee).compactMap(\.lastEventId) }
        let resumeAfter = stored.max { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
        let lastEventID: String?
        if let resumeAfter { lastEventID = resumeAfter } else { lastEventID = try await session.access().lastEventId }
        var configuration = SSEConnectionStateMachine.Configuration()
        configuration.idleTimeout = settings.streamIdleTimeout
        let request = EventStream.Request(
            url: settings.scrtURL + "/eventrouter/v1/sse",
            headers: [("X-Org-Id", settings.orgId15), ("Accept", "text/event-stream"), ("Cache-Control", "no-cache")],
            authorization: session, connector: context.connectorName, configuration: configuration, lastEventID: lastEventID ?? "0")
        var iterator = context.http.events(request).makeAsyncIterator()
        // At once (a resumed handoff should not wait for the stream's first event), and again once
        // each connection is up (entries sent between this read and the connection are covered then).
        try await backfill(employee)
        var backfilled = 0
        while let event = try await iterator.next() {
            if iterator.connections > backfilled {
                // A new connection: what was sent while no stream was open comes from the history
                // (whether the server replays after Last-Event-Id is not confirmed).
                try await backfill(employee)
                backfilled = iterator.connections
            }
            try await handle(event: event.type, data: event.data, id: event.id, employee: employee)
            if !state.withLock({ $0.hasOpen(employee) }) { return }
        }
    }

    /// Delivers the entries of the employee's open conversations that were not delivered yet.
    private func backfill(_ employee: String) async throws {
        try await backfill(state.withLock { $0.openRecords(employee) })
    }

    /// Delivers the entries of these conversations that were not delivered yet.
    func backfill(_ records: [HandoffRecord]) async throws {
        for record in records.sorted(by: { $0.createdAt < $1.createdAt }) {
            let session = self.session(record.employeeId)
            let entries: [JSONValue]
            do {
                entries = try await history(record, auth: session)
            } catch let error as ConnectorError where error.code == .notFound {
                continue
            }
            for entry in entries {
                if let mapped = MessagingEntryMapper.map(entry: entry) { try await deliver(mapped, handoffId: record.id, eventId: nil) }
            }
        }
    }

    /// The most history pages one backfill reads (50 entries each).
    static let maxHistoryPages = 200

    /// A conversation's entries back to the last one relayed (all of them when none was), oldest
    /// first: pages of 50 read from the newest back, each ending at the oldest time the previous one
    /// held (entries sharing that millisecond come twice and are kept once).
    func history(_ record: HandoffRecord, auth: EmployeeSession) async throws -> [JSONValue] {
        let stop = record.lastEntryAt.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        var newestFirst: [JSONValue] = []
        var seen = Set<String>()
        var end: Int64?
        for _ in 0..<Self.maxHistoryPages {
            let page = try await client.entries(conversationId: record.conversationId, endTimestamp: end, auth: auth)
            let fresh = page.filter { entry in entry["identifier"]?.stringValue.map { seen.insert($0).inserted } ?? true }
            newestFirst += fresh
            guard page.count >= MessagingClient.entriesPageSize, let oldest = page.map({ MessagingEntryMapper.milliseconds($0) }).min() else { break }
            if let stop, oldest <= stop { break }
            // A full page of one millisecond brings nothing new: step past it (more than 50 entries
            // in one millisecond cannot be paged otherwise).
            end = fresh.isEmpty ? oldest - 1 : oldest
        }
        return newestFirst.reversed()
    }

    /// One stream event.
    private func handle(event name: String, data: String, id: String?, employee: String) async throws {
        guard let (conversationId, mapped) = MessagingEntryMapper.map(event: name, data: data) else { return }
        var handoffId = state.withLock { $0.byConversation[conversationId] }
        if handoffId == nil, shared {
            // Started or reopened on another host: the record was stored before the conversation was
            // created (or its new session asked for), so it is there now.
            handoffId = try await adopt(conversationId: conversationId, employee: employee)
        }
        guard let handoffId else { return }
        if let mapped {
            try await deliver(mapped, handoffId: handoffId, eventId: id)
        } else if let id {
            advance(handoffId, eventId: id)
        }
    }

    /// Moves the handoff's status and stream position in memory, then appends the event (once per
    /// entry) with the position and any new status in the same transaction: whoever sees the event
    /// sees the new status, in memory and in the store, and a crash before it replays the entry.
    func deliver(_ mapped: MessagingEntryMapper.Mapped, handoffId: String, eventId: String?) async throws {
        let status: Handoff.Status?
        var reason: String?
        switch mapped.kind {
        case .queued: status = .queued
        case .agentJoined, .agentMessage: status = .active
        case .routingFailed(let text): status = .ended; reason = "routing failed: \(text)"
        case .endedByAgent: status = .ended; reason = Self.endedByAgent
        case .sessionEnded(let who): status = .ended; reason = who.endReason
        case .closed: status = .ended; reason = "closed"
        default: status = nil
        }
        let changed = advance(handoffId, eventId: eventId, status: status, reason: reason, entry: (mapped.identifier, mapped.occurredAt))
        let event = HandoffEvent(handoffId: handoffId, entryId: mapped.identifier, kind: mapped.kind, occurredAt: mapped.occurredAt)
        // The stream position (and a new status) move with the event, in its transaction: a restart
        // resumes after it.
        try await context.events.emit(ConnectorEvent(connector: context.connectorName, payload: .handoff(event),
                                                     deduplicationKey: "\(handoffId)/\(mapped.identifier)",
                                                     handoffPosition: HandoffPosition(handoffId: handoffId, lastEventId: eventId, lastEntryAt: mapped.occurredAt),
                                                     handoffState: changed))
    }

    static let endedByAgent = "ended by the agent"
    /// The end reasons of a session that ended with the conversation still open: a message opens a new one.
    static let sessionEndReasons: Set<String> = [endedByAgent, SessionEnder.employee.endReason, SessionEnder.timeout.endReason, SessionEnder.unknown.endReason]

    /// Records the stream position and a new status in memory; returns the record to store when
    /// its status changed. The stored position moves with each relayed event (in its transaction);
    /// events that relay nothing (acknowledgements, echoes) move it in memory, and it is stored with
    /// the next relayed one. A status entry older than the one that set the current status — seen
    /// again in a backfill or a replay — changes nothing.
    @discardableResult
    func advance(_ handoffId: String, eventId: String?, status: Handoff.Status? = nil, reason: String? = nil,
                         entry: (id: String, at: Date)? = nil) -> HandoffRecord? {
        state.withLock { state -> HandoffRecord? in
            guard var record = state.open[handoffId] else { return nil }
            HandoffPosition(handoffId: handoffId, lastEventId: eventId, lastEntryAt: entry?.at).apply(to: &record)
            let newer = entry.map { entry in
                record.statusChangedAt.map { entry.at > $0 || (entry.at == $0 && entry.id != record.statusEntryId) } ?? true
            } ?? true
            var changed = false
            if let status, newer, record.status != status, !(record.status == .active && status == .queued) {
                changed = true
                record.status = status
                record.endReason = reason
                if let entry {
                    record.statusChangedAt = entry.at
                    record.statusEntryId = entry.id
                }
            }
            record.updatedAt = context.clock.now()
            if record.status == .ended { state.remove(record) } else { state.open[handoffId] = record }
            return changed ? record : nil
        }
    }

    // MARK: Helpers

    func register(_ record: HandoffRecord) {
        state.withLock { state in
            guard record.status != .ended else { return }
            state.add(record)
        }
    }

    func ensureStream(_ employee: String) {
        let (start, count) = state.withLock { ($0.streaming.insert(employee).inserted, $0.streaming.count) }
        if start {
            streamGauge.record(count)
            requestStream.yield(employee)
        }
    }

    /// This host no longer follows the employee's stream.
    func stopStreaming(_ employee: String) {
        let count = state.withLock { state in
            state.streaming.remove(employee)
            return state.streaming.count
        }
        streamGauge.record(count)
    }

    /// `switchboard_live_agent_streams{connector}`: the employee streams this host follows.
    var streamGauge: Gauge { context.metrics.gauge("switchboard_live_agent_streams") }

    func session(_ employee: String) -> EmployeeSession {
        state.withLock { state in
            if let session = state.sessions[employee] { return session }
            let session = EmployeeSession(employeeId: employee, client: client)
            state.sessions[employee] = session
            return session
        }
    }

    /// For readiness: open handoffs and streams, or the last verification refusal — `degraded`, never
    /// `unhealthy`: readiness is the ability to serve, and one refused request does not prove it
    /// gone (the open handoffs keep streaming; the next request may succeed). The refusal's message
    /// stays until a verification succeeds, for the admin.
    func health() -> HealthReport.Check {
        state.withLock { state in
            if let refusal = state.refusal {
                return HealthReport.Check(name: "live-agent", status: .degraded,
                                          detail: "\(state.open.count) open handoffs; the last new handoff was refused: \(refusal)")
            }
            return HealthReport.Check(name: "live-agent", status: .healthy, detail: "\(state.open.count) open handoffs, \(state.streaming.count) streams")
        }
    }
}
