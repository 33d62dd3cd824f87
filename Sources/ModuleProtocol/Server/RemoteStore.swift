import ConnectorKit
import Foundation

/// The host's store as a served module sees it: every read and write is a call to the host
/// (`checkpoint.get`, `records.commit`, `records.reconcile`, `state.get/set`, `events.emit`).
struct RemoteStore: StateStore, RecordSink, EventSink, UserDirectory, HandoffStore {
    let host: HostConnection
    let module: String
    let handoffIDs: HandoffIDs

    func checkpoint(connector: String, stream: String) async throws -> Checkpoint? {
        let result = try await host.call("checkpoint.get", .object([("stream", .string(stream))]))
        return result["cursor"]?.stringValue.map { Checkpoint(stream: stream, cursor: $0, updatedAt: Date()) }
    }

    func setModuleState(connector: String, key: String, value: Data?) async throws {
        _ = try await host.call("state.set", .object([("key", .string(key)), ("value", value.map { .string($0.base64EncodedString()) } ?? .null)]))
    }

    func moduleState(connector: String, key: String) async throws -> Data? {
        try await host.call("state.get", .object([("key", .string(key))]))["value"]?.stringValue.flatMap { Data(base64Encoded: $0) }
    }

    func commit(_ batch: RecordBatch) async throws -> CommitResult {
        let result = try await host.call("records.commit", .object([
            ("stream", .string(batch.stream.name)), ("upserts", .array(batch.upserts.map(Wire.json))),
            ("deletions", .array(batch.deletions.map(JSONValue.string))), ("checkpoint", batch.checkpoint.map(JSONValue.string)),
        ]))
        return CommitResult(removed: Int(result["removed"]?.integerValue ?? 0))
    }

    func reconcile(connector: String, stream: SyncStream, keeping ids: Set<String>) async throws -> Int {
        let result = try await host.call("records.reconcile", .object([("stream", .string(stream.name)), ("keeping", .array(ids.sorted().map(JSONValue.string)))]))
        return Int(result["removed"]?.integerValue ?? 0)
    }

    func reconcile(connector: String, stream: SyncStream, writtenBefore date: Date) async throws -> Int {
        let result = try await host.call("records.reconcile", .object([("stream", .string(stream.name)), ("writtenBefore", Wire.date(date))]))
        return Int(result["removed"]?.integerValue ?? 0)
    }

    func emit(_ event: ConnectorEvent) async throws -> Int64 {
        switch event.payload {
        case .ticket(let ticketEvent):
            return try await host.call("ticket.event", Wire.json(ticketEvent))["id"]?.integerValue ?? 0
        case .handoff(var handoffEvent):
            // The module names its handoffs by its own ids; the host by the ids it stored them under.
            guard let hostID = await handoffIDs.hostID(for: handoffEvent.handoffId) else {
                await handoffIDs.hold(handoffEvent)
                return 0
            }
            handoffEvent.handoffId = hostID
            return try await host.call("handoff.event", Wire.json(handoffEvent))["id"]?.integerValue ?? 0
        case .module:
            break
        }
        guard case .module(let moduleEvent) = event.payload else { return 0 }
        let result = try await host.call("events.emit", .object([
            ("type", .string(moduleEvent.type)), ("subject", moduleEvent.subject.map(JSONValue.string)), ("data", moduleEvent.data),
        ]))
        return result["id"]?.integerValue ?? 0
    }

    /// The people every user-ingestion connector of the host synced, by e-mail (`users.find`).
    func users(email: String) async throws -> [(connector: String, user: UserRecord)] {
        let answer = try await host.call("users.find", .object([("email", .string(email))]))
        var found: [(connector: String, user: UserRecord)] = []
        for item in answer["users"]?.arrayValue ?? [] {
            guard let connector = item["connector"]?.stringValue, let record = item["record"], case .user(let user) = try Wire.record(record) else { continue }
            found.append((connector, user))
        }
        return found
    }

    /// The host keeps each handoff's record (it stored it before asking the module): a module's own
    /// save is not needed across the boundary, and its reads find nothing to resume.
    func saveHandoff(_ record: HandoffRecord) async throws {}
    func handoff(id: String) async throws -> HandoffRecord? { nil }
    func openHandoffs(connector: String) async throws -> [HandoffRecord] { [] }
}

/// The module's handoff ids and the host's, both ways; events a module emits before its
/// `startHandoff` returned (its id not known to be the host's yet) wait here, then go in order.
actor HandoffIDs {
    private var hostByModule: [String: String] = [:]
    private var moduleByHost: [String: String] = [:]
    private var held: [HandoffEvent] = []

    func hostID(for moduleID: String) -> String? { hostByModule[moduleID] }
    func moduleID(for hostID: String) -> String? { moduleByHost[hostID] ?? (hostByModule[hostID] == nil ? hostID : nil) }
    func hold(_ event: HandoffEvent) { held.append(event) }

    /// Records a pair and hands back the events held for it, with the host's id.
    func link(module moduleID: String, host hostID: String) -> [HandoffEvent] {
        hostByModule[moduleID] = hostID
        moduleByHost[hostID] = moduleID
        let ready = held.filter { $0.handoffId == moduleID }
        held.removeAll { $0.handoffId == moduleID }
        return ready.map { var event = $0; event.handoffId = hostID; return event }
    }
}
