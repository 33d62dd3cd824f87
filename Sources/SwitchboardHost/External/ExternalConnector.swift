import ConnectorKit
import Foundation
import ModuleProtocol
import ServiceLifecycle

/// One connector of an external module: its child process (``ModuleSession``), its features as calls
/// over the protocol, and the scheduled syncs of every sync feature whose section has a `schedule`.
final class ExternalConnector: Connector, Sendable, CustomStringConvertible {
    let module: ExternalModule
    let configuration: ConnectorConfiguration
    let context: ConnectorContext
    let session: ModuleSession
    let health = HealthChecks()
    /// Serializes this connector's handoff record updates (the module's events, the host's start).
    let handoffUpdates = AsyncLock()
    /// The leases of this connector's syncs in flight, fencing the module's writes.
    let fences: SyncFences

    init(module: ExternalModule, configuration: ConnectorConfiguration, context: ConnectorContext) {
        self.module = module
        self.configuration = configuration
        self.context = context
        let services = ModuleHostServices(module: module.name, configuration: configuration, schema: module.settings, context: context,
                                          handoffUpdates: handoffUpdates)
        let streams = services.streams
        fences = services.fences
        session = ModuleSession(module: module, configuration: configuration, logger: context.logger, services: services.handle,
                                childEnded: { streams.closeAll() })
    }

    var description: String { "ExternalConnector(\(configuration.name), module \(module.name))" }

    var timeout: Duration { module.declaration.callTimeout }

    func call(_ method: String, _ params: JSONValue = .object([JSONMember]()), timeout: Duration? = nil) async throws -> JSONValue {
        try await session.peer().call(method, params, timeout: timeout ?? self.timeout)
    }

    // MARK: Lifecycle

    /// Starts the child and keeps it until graceful shutdown (then `shutdown`, SIGTERM, SIGKILL); a
    /// child that fails ends `run()` with its error, so the supervisor restarts it with backoff.
    func run() async throws {
        try await session.startManaged()
        let session = self.session
        await withDiscardingTaskGroup { group in
            for sync in syncs {
                guard let interval = configuration.settings.value(at: "\(sync.feature.rawValue).schedule")?.durationValue else { continue }
                let work = ScheduledWork(name: "\(module.name) \(sync.feature) sync", check: sync.feature.rawValue, interval: interval,
                                         context: context, health: health)
                group.addTask { await work.run { "\(try await sync.run(.incremental) { _ in }.upserted) records written" } }
            }
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler {
                    await session.waitUntilEnded()
                } onGracefulShutdown: {
                    Task { await session.stop(grace: .seconds(5)) }
                }
            } onCancel: {
                Task { await session.stop(grace: .milliseconds(500)) }
            }
            group.cancelAll()
        }
        if Task.isShuttingDownGracefully || Task.isCancelled {
            await session.stop(grace: .seconds(5))
            return
        }
        throw await session.failure() ?? ConnectorError.unavailable("the external module \(module.name) stopped")
    }

    func check() async -> HealthReport {
        do {
            var report = try Wire.healthReport(try await call("check"))
            report.checks += health.all
            return report
        } catch {
            return HealthReport(checks: [HealthReport.Check(name: "module", status: .unhealthy, detail: "\(error)")] + health.all)
        }
    }

    /// The module's own doctor checks (`doctor`), or its health checks when it has none.
    func diagnose() async -> [Diagnosis] {
        do {
            return try Wire.diagnoses(try await call("doctor"))
        } catch let error as ConnectorError where error.code == .notImplemented {
            return await check().diagnoses
        } catch {
            return [.failed("module", "the module answers doctor", "\(error)", fix: "see the module's log lines (source=module-stderr)")]
        }
    }

    /// The public keys the module publishes on the host's `/.well-known/jwks.json` (`keys.published`;
    /// a module without the method publishes none).
    func publishedKeys() async throws -> [JWK] {
        let answer: JSONValue
        do {
            answer = try await call("keys.published")
        } catch let error as ConnectorError where error.code == .notImplemented {
            return []
        }
        return (answer["keys"]?.arrayValue ?? []).compactMap { key in key.members.map(JWK.init(members:)) }
    }

    // MARK: Features

    var ticketing: (any Ticketing)? { configuration.isEnabled(.ticketing) ? ExternalTicketing(connector: self) : nil }
    var liveAgent: (any LiveAgent)? { configuration.isEnabled(.liveAgent) ? ExternalLiveAgent(connector: self) : nil }

    var userIngestion: (any UserIngestion)? { configuration.isEnabled(.userIngestion) ? ExternalSync(connector: self, feature: .userIngestion) : nil }
    var knowledge: (any KnowledgeLoad)? { configuration.isEnabled(.knowledge) ? ExternalSync(connector: self, feature: .knowledge) : nil }

    /// The built-in syncs, and one per feature of the module's own.
    var syncs: [FeatureSync] {
        builtInSyncs + configuration.features.filter { !Feature.builtIn.contains($0) }.map { feature in
            FeatureSync(feature: feature, noun: "records") { mode, progress in
                try await ExternalSync(connector: self, feature: feature).run(mode: mode)
            }
        }
    }
}

/// A sync feature over the protocol (`sync.run`).
struct ExternalSync: UserIngestion, KnowledgeLoad {
    let connector: ExternalConnector
    let feature: Feature

    /// Asks the module for a sync; its writes meanwhile are fenced by the round's lease.
    func run(mode: SyncMode) async throws -> SyncReport {
        let answer = try await connector.fences.during {
            try await connector.call("sync.run", .object([("feature", .string(feature.rawValue)), ("mode", .string(mode.rawValue))]),
                                     timeout: connector.module.declaration.syncTimeout)
        }
        return try Wire.syncReport(answer)
    }

    func syncUsers(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport { try await run(mode: mode) }
    func syncArticles(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport { try await run(mode: mode) }
}

/// Ticketing over the protocol.
struct ExternalTicketing: Ticketing {
    let connector: ExternalConnector

    func createTicket(_ request: NewTicket) async throws -> Ticket { try Wire.ticket(try await connector.call("ticketing.create", Wire.json(request))) }
    func updateTicket(id: String, _ update: TicketUpdate) async throws -> Ticket {
        try Wire.ticket(try await connector.call("ticketing.update", Wire.json(id: id, update)))
    }
    func ticket(id: String) async throws -> Ticket { try Wire.ticket(try await connector.call("ticketing.get", .object([("id", .string(id))]))) }
    func tickets(requesterEmail: String, state: TicketStateFilter) async throws -> [Ticket] {
        let result = try await connector.call("ticketing.list", .object([("requesterEmail", .string(requesterEmail)), ("state", .string(state.rawValue))]))
        var tickets: [Ticket] = []
        for ticket in result["tickets"]?.arrayValue ?? [] { tickets.append(try Wire.ticket(ticket)) }
        return tickets
    }
    func addComment(ticketId: String, body: String, isPublic: Bool) async throws -> TicketComment {
        try Wire.comment(try await connector.call("ticketing.comment", .object([
            ("ticketId", .string(ticketId)), ("body", .string(body)), ("isPublic", .bool(isPublic)),
        ])))
    }
    func watchChanges() async throws { throw ConnectorError.notImplemented("ticketing.watch", module: connector.module.name) }
}

/// Live-agent handoffs over the protocol. The host keeps each handoff (it is stored before the module
/// is asked, so the module's `handoff.event`s can name it) and the module relays the conversation.
struct ExternalLiveAgent: LiveAgent {
    let connector: ExternalConnector
    var handoffs: ScopedHandoffStore { connector.context.handoffs }

    func startHandoff(_ request: HandoffRequest) async throws -> Handoff {
        let id = "ho_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let now = Date()
        var record = HandoffRecord(id: id, connector: connector.configuration.name, conversationId: "", employeeId: request.employeeId,
                                   status: .pending, request: request, createdAt: now, updatedAt: now)
        try await handoffs.save(record)
        let answer: JSONValue
        do {
            answer = try await connector.call("live-agent.start", Wire.json(handoffId: id, request))
        } catch {
            record.status = .ended
            record.endReason = "the module refused: \(error)"
            try? await handoffs.save(record)
            throw error
        }
        guard let conversation = answer["conversationId"]?.stringValue else {
            throw ConnectorError.unavailable("the module's live-agent.start answer has no conversationId")
        }
        // The module may already have moved the status with its events: read and write under the lock.
        let handoffs = self.handoffs, fallback = record
        let status = answer["status"]?.stringValue.flatMap(Handoff.Status.init(rawValue:))
        return try await connector.handoffUpdates.run {
            var record = try await handoffs.handoff(id: id) ?? fallback
            record.conversationId = conversation
            if record.status == .pending, let status { record.status = status }
            record.updatedAt = Date()
            try await handoffs.save(record)
            return record.handoff
        }
    }

    private func record(_ id: String) async throws -> HandoffRecord {
        guard let record = try await handoffs.handoff(id: id) else { throw ConnectorError.notFound("no handoff \(id)") }
        return record
    }

    func sendMessage(handoffId: String, text: String) async throws {
        let record = try await record(handoffId)
        _ = try await connector.call("live-agent.send", .object([("handoffId", .string(handoffId)), ("conversationId", .string(record.conversationId)), ("text", .string(text))]))
    }

    func setTyping(handoffId: String, isTyping: Bool) async throws {
        let record = try await record(handoffId)
        _ = try await connector.call("live-agent.typing", .object([("handoffId", .string(handoffId)), ("conversationId", .string(record.conversationId)), ("typing", .bool(isTyping))]))
    }

    func endHandoff(handoffId: String) async throws {
        let record = try await record(handoffId)
        _ = try await connector.call("live-agent.end", .object([("handoffId", .string(handoffId)), ("conversationId", .string(record.conversationId))]))
        let handoffs = self.handoffs
        _ = try await connector.handoffUpdates.run {
            guard var record = try await handoffs.handoff(id: handoffId), record.status != .ended else { return false }
            record.status = .ended
            record.endReason = "closed"
            record.updatedAt = Date()
            try await handoffs.save(record)
            return true
        }
    }

    func logout(employeeId: String) async throws {
        _ = try await connector.call("live-agent.logout", .object([("employeeId", .string(employeeId))]))
    }
}
