import Logging
import PostgresNIO
import Synchronization
import SwitchboardHost

/// The database as the store's operations reach it. While the store knows the database is down —
/// its event listener lost its connection and has not got one back — an operation fails at once
/// with ``SwitchboardHost/StoreUnavailable`` instead of waiting in the pool for a connection that
/// may not come; a connection lost during an operation comes out as `StoreUnavailable` too. Other
/// errors (a bad statement, a constraint) pass unchanged.
struct PostgresDatabase: Sendable {
    /// Whether the database answered last time the listener tried.
    final class Reachability: Sendable {
        private let up = Atomic(true)
        var isUp: Bool { up.load(ordering: .acquiring) }
        func set(_ value: Bool) { up.store(value, ordering: .releasing) }
    }

    let pool: PostgresClient
    let reachability: Reachability

    func query(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await guarded { try await pool.query(query, logger: logger, file: file, line: line) }
    }

    func withConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await guarded { try await pool.withConnection(body) }
    }

    /// A transaction whose body's own error comes out as itself (postgres-nio wraps it in a
    /// `PostgresTransactionError`), so callers match `LeaseLost`, `StoreError` … by value; a failed
    /// `BEGIN` or `COMMIT` comes out as what it was (a lost connection: `StoreUnavailable`).
    func withTransaction<Result>(logger: Logger, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await guarded {
            do {
                return try await pool.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                if let inner = error.closureError ?? error.beginError ?? error.commitError { throw inner }
                throw error
            }
        }
    }

    private func guarded<Result>(_ operation: () async throws -> Result) async throws -> Result {
        guard reachability.isUp else { throw StoreUnavailable("PostgreSQL does not answer (reconnecting)") }
        do {
            return try await operation()
        } catch let error as PSQLError where Self.isUnavailability(error) {
            throw StoreUnavailable("the connection to PostgreSQL failed (\(error.code))")
        }
    }

    /// A lost or refused connection, or a server shutting down or starting up (SQLSTATE classes 08
    /// and 57P), as opposed to an error of the statement.
    static func isUnavailability(_ error: PSQLError) -> Bool {
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed: return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P")
        default: return false
        }
    }
}
