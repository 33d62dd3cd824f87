import ConnectorKit
import Foundation

/// The host's store as a served module sees it: every read and write is a call to the host
/// (`checkpoint.get`, `records.commit`, `records.reconcile`, `state.get/set`, `events.emit`).
struct RemoteStore: StateStore, RecordSink, EventSink, UserDirectory, HandoffStore {
    let host: HostConnection
    let module: String

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
        guard case .module(let moduleEvent) = event.payload else {
            throw ConnectorError.notImplemented("ticket and handoff events over the protocol", module: module)
        }
        let result = try await host.call("events.emit", .object([
            ("type", .string(moduleEvent.type)), ("subject", moduleEvent.subject.map(JSONValue.string)), ("data", moduleEvent.data),
        ]))
        return result["id"]?.integerValue ?? 0
    }

    /// The host does not lend its user directory over the protocol yet: nobody is found.
    func users(email: String) async throws -> [(connector: String, user: UserRecord)] { [] }

    func saveHandoff(_ record: HandoffRecord) async throws {
        throw ConnectorError.notImplemented("handoffs over the protocol", module: module)
    }
    func handoff(id: String) async throws -> HandoffRecord? { nil }
    func openHandoffs(connector: String) async throws -> [HandoffRecord] { [] }
}
