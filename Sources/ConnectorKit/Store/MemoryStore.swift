import Foundation
import Synchronization

/// A ``StateStore``, ``RecordSink`` and ``EventSink`` held in memory: for connector authors' tests
/// and for embedding the host without persistence. It applies a ``RecordBatch`` atomically, like
/// a durable store, but keeps nothing across restarts.
public final class MemoryStore: StateStore, RecordSink, EventSink, UserDirectory, HandoffStore, Sendable {
    private struct State {
        var checkpoints: [String: Checkpoint] = [:]
        var moduleState: [String: Data] = [:]
        var records: [String: [String: SyncRecord]] = [:]
        /// When each record was last written (`connector/table/id`).
        var written: [String: Date] = [:]
        var events: [(id: Int64, event: ConnectorEvent)] = []
        var deduplicated: [String: Int64] = [:]
        var handoffs: [String: HandoffRecord] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    public func checkpoint(connector: String, stream: String) async throws -> Checkpoint? {
        state.withLock { $0.checkpoints["\(connector)/\(stream)"] }
    }

    public func setModuleState(connector: String, key: String, value: Data?) async throws {
        state.withLock { $0.moduleState["\(connector)/\(key)"] = value }
    }

    public func moduleState(connector: String, key: String) async throws -> Data? {
        state.withLock { $0.moduleState["\(connector)/\(key)"] }
    }

    @discardableResult
    public func commit(_ batch: RecordBatch) async throws -> CommitResult {
        guard batch.stream.records != nil || (batch.upserts.isEmpty && batch.deletions.isEmpty) else {
            throw SyncStreamError.cursorOnly(batch.stream)
        }
        return state.withLock { state in
            // Records live per store (`users-deleted` is a sub-stream of `users`); cursors per stream.
            let key = "\(batch.connector)/\(batch.stream.records?.rawValue ?? batch.stream.name)"
            var records = state.records[key, default: [:]]
            let now = Date()
            for record in batch.upserts {
                let id = switch record {
                case .user(let user): user.id
                case .article(let article): article.id
                }
                records[id] = record
                state.written["\(key)/\(id)"] = now
            }
            var removed = 0
            for id in batch.deletions where records.removeValue(forKey: id) != nil {
                removed += 1
                state.written["\(key)/\(id)"] = nil
            }
            state.records[key] = records
            if let cursor = batch.checkpoint {
                state.checkpoints["\(batch.connector)/\(batch.stream.name)"] = Checkpoint(stream: batch.stream.name, cursor: cursor, updatedAt: Date())
            }
            return CommitResult(removed: removed)
        }
    }

    public func users(email: String) async throws -> [(connector: String, user: UserRecord)] {
        state.withLock { state in
            state.records.flatMap { key, records in
                records.values.compactMap { record -> (connector: String, user: UserRecord)? in
                    guard case .user(let user) = record, user.email?.lowercased() == email.lowercased() else { return nil }
                    return (String(key.split(separator: "/").first ?? ""), user)
                }
            }.sorted { ($0.connector, $0.user.id) < ($1.connector, $1.user.id) }
        }
    }

    public func user(connector: String, id: String) async throws -> UserRecord? {
        state.withLock { state in
            guard case .user(let user)? = state.records["\(connector)/\(SyncStream.users.name)"]?[id] else { return nil }
            return user
        }
    }

    public func reconcile(connector: String, stream: SyncStream, writtenBefore date: Date) async throws -> Int {
        guard let records = stream.records else { throw SyncStreamError.cursorOnly(stream) }
        return state.withLock { state in
            let key = "\(connector)/\(records.rawValue)"
            let before = state.records[key]?.count ?? 0
            state.records[key] = state.records[key]?.filter { (state.written["\(key)/\($0.key)"] ?? .distantPast) >= date }
            return before - (state.records[key]?.count ?? 0)
        }
    }

    public func reconcile(connector: String, stream: SyncStream, keeping ids: Set<String>) async throws -> Int {
        guard let records = stream.records else { throw SyncStreamError.cursorOnly(stream) }
        return state.withLock { state in
            let key = "\(connector)/\(records.rawValue)"
            let before = state.records[key]?.count ?? 0
            state.records[key] = state.records[key]?.filter { ids.contains($0.key) }
            return before - (state.records[key]?.count ?? 0)
        }
    }

    @discardableResult
    public func emit(_ event: ConnectorEvent) async throws -> Int64 {
        state.withLock { state in
            if let record = event.handoffState { Self.save(record, in: &state) }
            if let position = event.handoffPosition, var record = state.handoffs[position.handoffId] {
                position.apply(to: &record)
                state.handoffs[position.handoffId] = record
            }
            let key = event.deduplicationKey.map { "\(event.connector)/\($0)" }
            if let key, let existing = state.deduplicated[key] { return existing }
            let id = (state.events.last?.id ?? 0) + 1
            state.events.append((id, event))
            if let key { state.deduplicated[key] = id }
            return id
        }
    }

    public func saveHandoff(_ record: HandoffRecord) async throws {
        state.withLock { Self.save(record, in: &$0) }
    }

    private static func save(_ record: HandoffRecord, in state: inout State) {
        var saved = record
        // The stored position never moves back (an event may have advanced it meanwhile).
        if let stored = state.handoffs[record.id] {
            HandoffPosition(handoffId: record.id, lastEventId: stored.lastEventId, lastEntryAt: stored.lastEntryAt).apply(to: &saved)
        }
        state.handoffs[record.id] = saved
    }

    public func handoff(id: String) async throws -> HandoffRecord? { state.withLock { $0.handoffs[id] } }

    public func openHandoffs(connector: String) async throws -> [HandoffRecord] {
        state.withLock { state in
            state.handoffs.values.filter { $0.connector == connector && $0.status != .ended }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    /// The records of a connector's stream, by id.
    public func records(connector: String, stream: SyncStream) -> [String: SyncRecord] {
        state.withLock { $0.records["\(connector)/\(stream.records?.rawValue ?? stream.name)"] ?? [:] }
    }

    /// Every event emitted, with its id, oldest first.
    public var events: [(id: Int64, event: ConnectorEvent)] { state.withLock { $0.events } }
}
