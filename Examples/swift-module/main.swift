import ConnectorKit
import Foundation
import ModuleProtocol
import ServiceLifecycle

// A Swift module served over the external module protocol: the same `ConnectorModule` code would run
// in-process if listed in Package.swift's connectorModules. Declared in connectors.yaml as
//
//   modules:
//     roster:
//       command: .build/debug/example-swift-module
//
// It reads users from a CSV file (id,email,first,last) and, in check(), resolves its API token and
// signs a JWT with its key — both held by the host, reached through the context as usual.
await ModuleServer.serve(RosterModule())

/// `module: roster` — users from a CSV file.
struct RosterModule: ConnectorModule {
    let name = "roster"
    let summary = "Users from a CSV file (id,email,first,last); a Swift module served over the protocol."
    let features: [Feature] = [.userIngestion, .liveAgent]
    var settings: SettingsSchema {
        SettingsSchema([
            SettingField("file", .path(mustExist: true), required: true, summary: "The CSV file."),
            SettingField("api_token", .secret, required: true, summary: "A token the module proves it can read (its length is reported)."),
            SettingField("signing_key", .secret, summary: "A private key the module signs a JWT with in check() (by reference: the host signs)."),
            SettingField("delay", .duration, default: .duration(.zero), summary: "A wait before each sync (to show cancellation)."),
        ])
    }

    func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        RosterConnection(file: try configuration.settings.requiredText("file"), token: try configuration.settings.requiredSecret("api_token"),
                         signingKey: configuration.settings["signing_key"]?.secretValue, delay: try configuration.settings.requiredDuration("delay"),
                         context: context)
    }
}

struct RosterConnection: Connector, UserIngestion, LiveAgent {
    let file: String
    let token: SecretReference
    let signingKey: SecretReference?
    let delay: Duration
    let context: ConnectorContext

    var userIngestion: (any UserIngestion)? { self }
    var liveAgent: (any LiveAgent)? { self }

    // An echo agent: it joins at once and answers every message with "echo: …".
    private func relay(_ handoff: String, _ entry: String, _ kind: HandoffEvent.Kind) async throws {
        try await context.events.emit(ConnectorEvent(connector: context.connectorName,
                                                      payload: .handoff(HandoffEvent(handoffId: handoff, entryId: entry, kind: kind, occurredAt: Date()))))
    }

    func startHandoff(_ request: HandoffRequest) async throws -> Handoff {
        let id = "echo-" + request.employeeId
        // The host's user directory, across the boundary: greet the employee by the name a sync stored.
        let name = try await context.users.users(email: request.email ?? "").first?.user.firstName ?? "a guest"
        try await relay(id, "joined", .agentJoined(displayName: "Echo for \(name)"))
        return Handoff(id: id, conversationId: "conversation-" + request.employeeId, employeeId: request.employeeId, status: .queued)
    }
    func sendMessage(handoffId: String, text: String) async throws {
        try await relay(handoffId, "m-" + text, .agentMessage(text: "echo: " + text, senderDisplayName: "Echo"))
    }
    func setTyping(handoffId: String, isTyping: Bool) async throws {}
    func endHandoff(handoffId: String) async throws { try await relay(handoffId, "closed", .closed(reason: nil)) }
    func logout(employeeId: String) async throws {}

    func run() async throws { try? await gracefulShutdown() }

    func check() async -> HealthReport {
        var checks = [HealthReport.Check(name: "file", status: FileManager.default.isReadableFile(atPath: file) ? .healthy : .unhealthy, detail: file)]
        do {
            let secret = try context.vault.resolve(token)
            checks.append(.init(name: "token", status: .healthy, detail: "resolved through the host (\(secret.byteCount) bytes)"))
            if let signingKey {
                var claims = JWTClaims()
                claims.set("sub", "roster-check")
                let jwt = try context.signer.sign(claims, with: try context.signer.signingKey(signingKey), keyID: "roster-1")
                checks.append(.init(name: "signing", status: .healthy, detail: "signed by the host: \(jwt)"))
            }
        } catch {
            checks.append(.init(name: "token", status: .unhealthy, detail: "\(error)"))
        }
        return HealthReport(checks: checks)
    }

    func syncUsers(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
        do {
            try await Task.sleep(for: delay)
        } catch {
            context.logger.info("roster sync cancelled before it read anything")
            throw error
        }
        let rows = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let start = mode == .full ? 0 : (try await context.store.checkpoint(stream: .users)).flatMap { Int($0.cursor) } ?? 0
        var written = 0, pages = 0
        var index = start
        while index < rows.count {
            let page = rows[index..<min(index + 500, rows.count)].filter { $0.count >= 4 }
            index = min(index + 500, rows.count)
            let users = page.map { SyncRecord.user(UserRecord(id: $0[0], email: $0[1], firstName: $0[2], lastName: $0[3], modifiedAt: Date(timeIntervalSince1970: 0))) }
            try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: .users, upserts: users, checkpoint: String(index)))
            written += users.count
            pages += 1
        }
        return SyncReport(upserted: written, deleted: 0, pages: pages)
    }
}
