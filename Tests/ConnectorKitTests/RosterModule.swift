import ConnectorKit
import Foundation
import ServiceLifecycle
import Synchronization

/// A small file-backed module for testing the conformance kit: user ingestion from a CSV file
/// (`id,email,first,last` per line) and tickets kept in memory. Each ``Mistake`` plants one of the
/// errors the kit exists to catch.
struct RosterModule: ConnectorModule {
    enum Mistake: Sendable { case none, logsSecret, checkpointBeforeWrite, swallowsStoreErrors, ignoresIdempotency, ignoresShutdown, ticketingTodo }

    let mistake: Mistake
    let name = "roster"
    let summary = "Users from a CSV file, tickets in memory (a test module)."
    let features: [Feature] = [.userIngestion, .ticketing]
    var settings: SettingsSchema {
        SettingsSchema([
            SettingField("file", .path(mustExist: true), required: true, summary: "The CSV file of users."),
            SettingField("api_token", .secret, required: true, summary: "A token the module resolves at start."),
            SettingField("page_size", .integer(min: 1), default: .integer(2), summary: "Users per committed batch."),
        ])
    }

    init(_ mistake: Mistake = .none) { self.mistake = mistake }

    func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        RosterConnector(mistake: mistake, file: configuration.settings["file"]?.stringValue ?? "", token: configuration.settings["api_token"]?.secretValue,
                        pageSize: configuration.settings["page_size"]?.integerValue ?? 2, context: context)
    }
}

struct RosterConnector: Connector, UserIngestion, Ticketing {
    let mistake: RosterModule.Mistake
    let file: String
    let token: SecretReference?
    let pageSize: Int
    let context: ConnectorContext
    let tickets = Tickets()

    final class Tickets: Sendable {
        let byKey = Mutex<[String: Ticket]>([:])
    }

    var userIngestion: (any UserIngestion)? { self }
    var ticketing: (any Ticketing)? { self }

    func run() async throws {
        if let token {
            let secret = try context.vault.resolve(token)
            if mistake == .logsSecret {
                let revealed = try secret.revealedString()
                context.logger.debug("authenticating", metadata: ["token": .string(revealed)])
            }
        }
        if mistake == .ignoresShutdown {
            // Waits on something that neither shutdown nor cancellation ends (a lost continuation).
            await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
        }
        try? await gracefulShutdown()
    }

    func check() async -> HealthReport {
        FileManager.default.isReadableFile(atPath: file) ? .healthy("file") : HealthReport(checks: [.init(name: "file", status: .unhealthy, detail: "cannot read \(file)")])
    }

    func syncUsers(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let start = mode == .full ? 0 : (try await context.store.checkpoint(stream: .users)).flatMap { Int($0.cursor) } ?? 0
        var report = SyncReport(upserted: 0, deleted: 0, pages: 0)
        var index = start
        while index < lines.count {
            let page = lines[index..<min(index + pageSize, lines.count)]
            let users = page.map { SyncRecord.user(UserRecord(id: $0[0], email: $0[1], firstName: $0[2], lastName: $0[3], fields: [:], modifiedAt: Date(timeIntervalSince1970: 0))) }
            index += page.count
            do {
                if mistake == .checkpointBeforeWrite {
                    try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: .users, upserts: [], checkpoint: String(index)))
                    try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: .users, upserts: users, checkpoint: nil))
                } else {
                    try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: .users, upserts: users, checkpoint: String(index)))
                }
            } catch where mistake == .swallowsStoreErrors {
                continue
            }
            report.upserted += users.count
            report.pages += 1
        }
        return report
    }

    func createTicket(_ request: NewTicket) async throws -> Ticket {
        if mistake == .ticketingTodo { throw ConnectorError.notImplemented("ticketing.create", module: "roster") }
        return tickets.byKey.withLock { byKey in
            let key = mistake == .ignoresIdempotency ? UUID().uuidString : request.idempotencyKey
            if let existing = byKey[key] { return existing }
            let ticket = Ticket(id: "T\(byKey.count + 1)", subject: request.subject, status: "New", isClosed: false,
                                requester: Requester(email: request.requesterEmail), createdAt: Date(), updatedAt: Date())
            byKey[key] = ticket
            return ticket
        }
    }
    func updateTicket(id: String, _ update: TicketUpdate) async throws -> Ticket { throw ConnectorError.notImplemented("ticketing.update", module: "roster") }
    func ticket(id: String) async throws -> Ticket {
        guard let ticket = tickets.byKey.withLock({ $0.values.first { $0.id == id } }) else { throw ConnectorError.notFound("no ticket \(id)") }
        return ticket
    }
    func tickets(requesterEmail: String, state: TicketStateFilter) async throws -> [Ticket] { [] }
    func addComment(ticketId: String, body: String, isPublic: Bool) async throws -> TicketComment {
        throw ConnectorError.notImplemented("ticketing.comment", module: "roster")
    }
    func watchChanges() async throws { try? await gracefulShutdown() }
}

/// A module with a feature of its own (`staff-directory`): its connector offers the sync through
/// `syncs` and announces each run with an event type of its own. Nothing in the host names it.
struct DirectoryModule: ConnectorModule {
    static let directory: Feature = "staff-directory"
    let name = "directory"
    let summary = "Staff from a CSV file, as a feature of its own (a test module)."
    let features: [Feature] = [Self.directory]
    var settings: SettingsSchema {
        SettingsSchema([SettingField("file", .path(mustExist: true), required: true, summary: "The CSV file of staff.")])
    }

    func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        DirectoryConnector(roster: RosterConnector(mistake: .none, file: try configuration.settings.requiredText("file"), token: nil, pageSize: 3, context: context))
    }
}

struct DirectoryConnector: Connector {
    let roster: RosterConnector

    var syncs: [FeatureSync] {
        [FeatureSync(feature: DirectoryModule.directory, noun: "staff") { mode, progress in
            let report = try await roster.syncUsers(mode: mode, progress: progress)
            try await roster.context.events.emit(ConnectorEvent(connector: roster.context.connectorName, payload: .module(
                try ModuleEvent(type: "directory.synced", data: .object([JSONMember("upserted", .integer(Int64(report.upserted)))])))))
            return report
        }]
    }

    func run() async throws { try? await gracefulShutdown() }
    func check() async -> HealthReport { await roster.check() }
}
