import ConnectorKit
import Foundation
import Synchronization

/// An in-memory store for connector tests that behaves like the host's durable store and records
/// what a connector did with it: every committed batch in order, and commits made to fail on demand
/// (to test that a sync never moves its checkpoint ahead of its records).
///
/// Like the host's store, it refuses records in a stream that keeps only a cursor.
public final class RecordingStore: StateStore, RecordSink, EventSink, UserDirectory, HandoffStore, Sendable {
    /// The error an injected commit failure throws.
    public struct InjectedFailure: Error, CustomStringConvertible {
        /// Which commit failed (1-based).
        public var commit: Int
        public var description: String { "injected failure of commit #\(commit) (the store did not write it)" }
    }

    private struct Journal {
        var commits: [RecordBatch] = []
        var attempts = 0
        var failing: Set<Int> = []
    }

    /// The store the data lives in.
    public let memory = MemoryStore()
    private let journal = Mutex(Journal())

    /// Creates an empty store.
    public init() {}

    /// Makes commit attempts number `attempts` (1-based, counted from now on) fail without writing.
    public func failCommits(_ attempts: Set<Int>) {
        journal.withLock { $0.failing = attempts; $0.attempts = 0 }
    }

    /// The batches committed so far, oldest first (failed attempts are not in it).
    public var commits: [RecordBatch] { journal.withLock { $0.commits } }

    /// Every stored record of a connector, by stream table (`users`, `articles`) and id.
    public func records(connector: String) -> [String: [String: SyncRecord]] {
        var result: [String: [String: SyncRecord]] = [:]
        for stream in [SyncStream.users, .articles] {
            let records = memory.records(connector: connector, stream: stream)
            if !records.isEmpty { result[stream.name] = records }
        }
        return result
    }

    /// Every event emitted, oldest first.
    public var events: [(id: Int64, event: ConnectorEvent)] { memory.events }

    // MARK: RecordSink

    @discardableResult
    public func commit(_ batch: RecordBatch) async throws -> CommitResult {
        let failure: Int? = journal.withLock { journal in
            journal.attempts += 1
            return journal.failing.contains(journal.attempts) ? journal.attempts : nil
        }
        if let failure { throw InjectedFailure(commit: failure) }
        let result = try await memory.commit(batch)
        journal.withLock { $0.commits.append(batch) }
        return result
    }

    public func reconcile(connector: String, stream: SyncStream, keeping ids: Set<String>) async throws -> Int {
        try await memory.reconcile(connector: connector, stream: stream, keeping: ids)
    }

    public func reconcile(connector: String, stream: SyncStream, writtenBefore date: Date) async throws -> Int {
        try await memory.reconcile(connector: connector, stream: stream, writtenBefore: date)
    }

    // MARK: The rest, as the memory store does it

    public func checkpoint(connector: String, stream: String) async throws -> Checkpoint? {
        try await memory.checkpoint(connector: connector, stream: stream)
    }
    public func setModuleState(connector: String, key: String, value: Data?) async throws {
        try await memory.setModuleState(connector: connector, key: key, value: value)
    }
    public func moduleState(connector: String, key: String) async throws -> Data? {
        try await memory.moduleState(connector: connector, key: key)
    }
    @discardableResult
    public func emit(_ event: ConnectorEvent) async throws -> Int64 { try await memory.emit(event) }
    public func users(email: String) async throws -> [(connector: String, user: UserRecord)] { try await memory.users(email: email) }
    public func user(connector: String, id: String) async throws -> UserRecord? { try await memory.user(connector: connector, id: id) }
    public func saveHandoff(_ record: HandoffRecord) async throws { try await memory.saveHandoff(record) }
    public func handoff(id: String) async throws -> HandoffRecord? { try await memory.handoff(id: id) }
    public func openHandoffs(connector: String) async throws -> [HandoffRecord] { try await memory.openHandoffs(connector: connector) }
}
