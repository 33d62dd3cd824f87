import ConnectorKit
import Foundation
import Logging
import PostgresNIO
import SwitchboardHost

/// The host store on PostgreSQL (postgres-nio), for several hosts on one database: every store
/// the embedded ``SwitchboardHost/SQLiteStore`` has — checkpoints, module state, users, articles
/// with full-text search (tsvector, `ts_rank`, `ts_headline`), handoffs and the event log, whose
/// ids grow in commit order across hosts (appends take an advisory lock) and whose readers on any
/// host wake on `LISTEN/NOTIFY`. Open it with ``withStore(_:password:logger:_:)``, which owns the
/// connection pool and the listener for exactly as long as its body runs.
public final class PostgresStore: HostStore, Sendable, CustomStringConvertible {
    /// The channel event appends notify on (payload: the new id).
    static let eventChannel = "switchboard_events"

    /// The pool, guarded: fails fast while the database is known to be down.
    let client: PostgresDatabase
    /// Whether the database answers, as the event listener last found.
    let reachability = PostgresDatabase.Reachability()
    let logger: Logger
    /// Where it is (no password).
    public let location: PostgresLocation
    /// Wakes this process's event readers when any host appends.
    let notifier = EventNotifier()
    /// The time written into rows' `synced_at`.
    let writeClock = WriteClock()

    init(client: PostgresClient, location: PostgresLocation, logger: Logger) {
        self.client = PostgresDatabase(pool: client, reachability: reachability)
        self.location = location
        self.logger = logger
    }

    public var description: String { "PostgresStore(\(location))" }

    /// Connects to `location`, applies the migrations (under an advisory lock, so hosts starting
    /// together migrate once), runs `body` with the store, and closes the pool and the event
    /// listener when it returns or throws.
    public static func withStore<T: Sendable>(_ location: PostgresLocation, password: Secret?, logger: Logger,
                                              _ body: @Sendable (PostgresStore) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try location.clientConfiguration(password: password), backgroundLogger: logger)
        let store = PostgresStore(client: client, location: location, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await client.run() }
            do {
                await Task.yield()  // let the pool start before the first lease
                try await PostgresSchema.migrate(client, logger: logger)
                group.addTask { await store.listenForEvents() }
                let result = try await body(store)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Follows the event channel on one connection and wakes local readers; reconnects after a
    /// failure (the database restarted), catching up on what was appended meanwhile.
    func listenForEvents() async {
        while !Task.isCancelled {
            do {
                try await client.pool.withConnection { connection in
                    try await connection.listen(on: Self.eventChannel) { notifications in
                        self.reachability.set(true)
                        self.notifier.advance(to: try await self.latestEventID())
                        for try await notification in notifications {
                            if let id = Int64(notification.payload) { self.notifier.advance(to: id) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                reachability.set(false)
                logger.warning("event listener lost its connection; reconnecting", metadata: ["store": .string(location.description), "error": .string(Self.describe(error))])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

extension PostgresStore {
    /// An error for a log line: a PostgreSQL error's code and the server's message (never the
    /// query's bound values, which may be module state), anything else as it describes itself.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        let message = error.serverInfo?[.message].map { ": \($0)" } ?? ""
        return "\(error.code)\(message)"
    }
}

extension PostgresStore {
    /// A transaction (``PostgresDatabase/withTransaction(logger:_:)``): the body's errors come out as themselves.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withTransaction(logger: logger, body)
    }
}
