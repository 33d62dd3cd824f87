import ConnectorKit
import Foundation

/// The host's store as a served module sees it: every read and write is a call to the host
/// (`checkpoint.get`, `records.commit`, `records.reconcile`, `state.get/set`, `events.emit`,
/// `handoff.event`, `handoffs.get/open/save`, `users.find`).
struct RemoteStore: StateStore, RecordSink, EventSink, UserDirectory, HandoffStore {
    let host: HostConnection
    let module: String
    /// The connector the module runs (its handoffs' connector).
    let connector: String
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
                await handoffIDs.hold(event)
                return 0
            }
            handoffEvent.handoffId = hostID
            return try await host.call("handoff.event", Self.params(handoffEvent, event))["id"]?.integerValue ?? 0
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

    /// A user this connector synced, by id (`users.get`).
    func user(connector: String, id: String) async throws -> UserRecord? {
        let answer = try await host.call("users.get", .object([("id", .string(id))]))
        guard let record = answer["record"], record != .null, case .user(let user) = try Wire.record(record) else { return nil }
        return user
    }

    /// A handoff event's params: the event, where the module's stream stands, and the status the
    /// module decided (both stored in the event's transaction).
    static func params(_ handoffEvent: HandoffEvent, _ event: ConnectorEvent) -> JSONValue {
        var members = Wire.json(handoffEvent).members ?? []
        if let position = event.handoffPosition { members.append(JSONMember("position", Wire.json(position))) }
        if let state = event.handoffState {
            members.append(JSONMember("state", .object([("status", .string(state.status.rawValue)), ("endReason", state.endReason.map(JSONValue.string))])))
        }
        return .object(members)
    }

    // MARK: Stored handoffs: the host's records, under the module's ids

    /// Moves the host's record of a handoff (conversation, status, stream position). A handoff the
    /// module creates while the host starts one (``HandoffIDs/starting``) is that one.
    func saveHandoff(_ record: HandoffRecord) async throws {
        var hostID = await handoffIDs.hostID(for: record.id)
        if hostID == nil, let starting = HandoffIDs.starting {
            hostID = starting
            for held in await handoffIDs.link(module: record.id, host: starting) { _ = try await emit(held) }
        }
        guard let hostID else { throw ConnectorError.notFound("handoff \(record.id) is not one the host started") }
        var stored = record
        stored.id = hostID
        _ = try await host.call("handoffs.save", .object([("handoff", Wire.json(stored))]))
    }

    func handoff(id: String) async throws -> HandoffRecord? {
        let hostID = await handoffIDs.hostID(for: id) ?? id
        let answer = try await host.call("handoffs.get", .object([("handoffId", .string(hostID))]))
        guard let json = answer["handoff"], json != .null else { return nil }
        var record = try Wire.handoffRecord(json, connector: connector)
        record.id = id
        return record
    }

    /// The connector's open handoffs; ones this process did not start (it was restarted) go by the
    /// host's ids from now on.
    func openHandoffs(connector: String) async throws -> [HandoffRecord] {
        var records: [HandoffRecord] = []
        for json in try await host.call("handoffs.open", .object([JSONMember]()))["handoffs"]?.arrayValue ?? [] {
            var record = try Wire.handoffRecord(json, connector: connector)
            record.id = await handoffIDs.adopt(hostID: record.id)
            records.append(record)
        }
        return records
    }
}

/// The module's handoff ids and the host's, both ways; events a module emits before its
/// `startHandoff` returned (its id not known to be the host's yet) wait here, then go in order.
actor HandoffIDs {
    /// The host's id of the handoff being started in this task (`live-agent.start`).
    @TaskLocal static var starting: String?

    private var hostByModule: [String: String] = [:]
    private var moduleByHost: [String: String] = [:]
    private var held: [ConnectorEvent] = []

    func hostID(for moduleID: String) -> String? { hostByModule[moduleID] }
    func moduleID(for hostID: String) -> String? { moduleByHost[hostID] ?? (hostByModule[hostID] == nil ? hostID : nil) }
    func hold(_ event: ConnectorEvent) { held.append(event) }

    /// The module's id for a handoff the host stored: the one it was linked to, or the host's own.
    func adopt(hostID: String) -> String {
        if let moduleID = moduleByHost[hostID] { return moduleID }
        hostByModule[hostID] = hostID
        moduleByHost[hostID] = hostID
        return hostID
    }

    /// Records a pair and hands back the events held for it (once).
    func link(module moduleID: String, host hostID: String) -> [ConnectorEvent] {
        hostByModule[moduleID] = hostID
        moduleByHost[hostID] = moduleID
        let ready = held.filter { if case .handoff(let event) = $0.payload { event.handoffId == moduleID } else { false } }
        held.removeAll { if case .handoff(let event) = $0.payload { event.handoffId == moduleID } else { false } }
        return ready
    }
}
