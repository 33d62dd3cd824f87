import ConnectorKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One configured Salesforce org at run time: its bearer session (shared by every feature) and the
/// enabled features' loops, each a ``ScheduledWork``: a failing sync or watcher is retried on its own
/// and reported `degraded` while the other features keep serving. A rate limit
/// (`REQUEST_LIMIT_EXCEEDED`, 429) pauses a sync until the next run, which resumes from the
/// checkpoint; readiness reports the pause.
final class SalesforceConnection: Connector, UserIngestion, KnowledgeLoad, Sendable, CustomStringConvertible {
    let configuration: ConnectorConfiguration
    let settings: SalesforceSettings
    let context: ConnectorContext
    let auth: SalesforceJWTBearerAuth
    let rest: SalesforceREST
    let liveAgentService: LiveAgentService?
    /// The live-agent keys to publish (built on first use, then kept).
    let liveAgentKeys: LiveAgentKeys?
    private let health = HealthChecks()
    /// One sync of a stream at a time (the schedule and `switchboard sync` may overlap).
    private let syncing = Mutex<Set<String>>([])
    /// Ticket creations in progress, by Idempotency-Key.
    private let ticketKeys = InFlightKeys()

    init(configuration: ConnectorConfiguration, settings: SalesforceSettings, context: ConnectorContext) {
        self.configuration = configuration
        self.settings = settings
        self.context = context
        auth = SalesforceJWTBearerAuth(credentials: settings.credentials, signer: context.signer, http: context.http, connector: configuration.name)
        rest = SalesforceREST(auth: auth, http: context.http, apiVersion: settings.apiVersion, connector: configuration.name)
        liveAgentService = settings.liveAgent.map { LiveAgentService(settings: $0, context: context) }
        liveAgentKeys = settings.liveAgent.map { LiveAgentKeys(settings: $0, vault: context.vault) }
    }

    var description: String { "SalesforceConnection(\(configuration.name))" }

    var userIngestion: (any UserIngestion)? { configuration.isEnabled(.userIngestion) ? self : nil }
    var knowledge: (any KnowledgeLoad)? { configuration.isEnabled(.knowledge) ? self : nil }
    var liveAgent: (any LiveAgent)? { liveAgentService }
    var ticketing: (any Ticketing)? {
        guard configuration.isEnabled(.ticketing) else { return nil }
        return CaseTicketing(rest: rest, auth: auth, context: context, settings: settings.ticketing, inFlight: ticketKeys, health: health)
    }

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            if configuration.isEnabled(.userIngestion) {
                group.addTask { try await self.contactLoop() }
            }
            if configuration.isEnabled(.knowledge) {
                group.addTask { try await self.knowledgeLoop() }
            }
            if let ticketing = self.ticketing {
                group.addTask { try await ticketing.watchChanges() }
            }
            if let liveAgentService {
                group.addTask { try await liveAgentService.run() }
            }
        }
    }

    /// Incremental reads on the schedule; a full read when `full_every` has passed since the last
    /// one began (wherever it ran: `switchboard sync --full` counts), or when one was interrupted.
    private func contactLoop() async throws {
        await ScheduledWork(name: "contact sync", check: ContactSync.stream.name, interval: settings.contactSchedule, context: context,
                            isPause: Self.isPause, isSkip: { $0 is SyncAlreadyRunning }).run {
            let mode = try await self.scheduledContactMode(now: self.context.clock.now())
            let report = try await self.syncUsers(mode: mode) { _ in }
            self.context.logger.info("contacts synced", metadata: [
                "mode": "\(mode.rawValue)", "upserted": "\(report.upserted)", "re-read": "\(report.reread)", "removed": "\(report.deleted)",
                "pages": "\(report.pages)", "resumed": "\(report.resumed)",
            ])
            return ""  // syncUsers records the check (the CLI's syncs too)
        }
    }

    /// A rate limit pauses a loop until its next run.
    static let isPause: @Sendable (any Error) -> Bool = { error in
        (error as? SalesforceAPIError)?.isRateLimited == true || (error as? ConnectorError)?.code == .rateLimited
    }

    /// The mode of the scheduled contact sync at `now`: full when none finished within `full_every`
    /// or one is unfinished, incremental otherwise.
    func scheduledContactMode(now: Date) async throws -> SyncMode {
        let sync = ContactSync(rest: rest, sink: context.sink, store: context.store, settings: settings.contacts)
        guard let last = try await sync.lastFullRun(), last.finished else { return .full }
        let due = now.timeIntervalSince(Date(timeIntervalSince1970: last.started)) >= Double(settings.contactFullEvery.components.seconds)
        return due ? .full : .incremental
    }

    /// Article syncs on the knowledge schedule (each run also removes what left Online).
    private func knowledgeLoop() async throws {
        await ScheduledWork(name: "article sync", check: KnowledgeSync.stream.name, interval: settings.knowledgeSchedule, context: context,
                            isPause: Self.isPause, isSkip: { $0 is SyncAlreadyRunning }).run {
            let report = try await self.syncArticles(mode: .incremental) { _ in }
            self.context.logger.info("articles synced", metadata: ["upserted": "\(report.upserted)", "removed": "\(report.deleted)"])
            return ""  // syncArticles records the check
        }
    }

    func syncArticles(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
        try await guarded(stream: "articles") {
            try await KnowledgeSync(rest: rest, sink: context.sink, store: context.store, settings: settings.knowledge).run(mode: mode, progress: progress)
        }
    }

    func syncUsers(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
        try await guarded(stream: "users") {
            try await ContactSync(rest: rest, sink: context.sink, store: context.store, settings: settings.contacts).run(mode: mode, progress: progress)
        }
    }

    /// Runs one sync of a stream (never two at once) and records its outcome for readiness.
    private func guarded(stream: String, _ body: () async throws -> SyncReport) async throws -> SyncReport {
        guard syncing.withLock({ $0.insert(stream).inserted }) else { throw SyncAlreadyRunning(stream: stream) }
        defer { _ = syncing.withLock { $0.remove(stream) } }
        do {
            let report = try await body()
            record(HealthReport.Check(name: stream, status: .healthy, detail: "last sync: \(report.upserted) upserted, \(report.deleted) removed"))
            return report
        } catch let error as SalesforceAPIError where error.isRateLimited {
            record(HealthReport.Check(name: stream, status: .degraded, detail: "paused: the org's API limit is spent (\(error.errorCode)); resumes from the checkpoint"))
            throw error
        } catch let error as SalesforceAuthError where !error.isUnavailable {
            // Refused credentials: no feature of the connector can work until an admin fixes them.
            record(HealthReport.Check(name: "auth", status: .unhealthy, detail: error.description))
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            record(HealthReport.Check(name: stream, status: .degraded, detail: "failing, retried on its own: \(error)"))
            throw error
        }
    }

    func publishedKeys() async throws -> [JWK] { try liveAgentKeys?.jwks() ?? [] }

    func check() async -> HealthReport {
        var checks = health.all
        if let liveAgentService { checks.append(liveAgentService.health()) }
        checks.sort { $0.name < $1.name }
        return checks.isEmpty ? .healthy("salesforce", detail: "starting") : HealthReport(checks: checks)
    }

    func record(_ check: HealthReport.Check) {
        health.record(check)
        if check.name != "auth", check.status == .healthy { health.remove("auth") }
    }
}

/// A sync of the same stream is already running on this connector.
struct SyncAlreadyRunning: Error, CustomStringConvertible {
    let stream: String
    var description: String { "a \(stream) sync is already running on this connector" }
}
