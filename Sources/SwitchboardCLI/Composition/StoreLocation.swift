import ConnectorKit
import Logging
import SwitchboardHost
import SwitchboardPostgres

/// Opens the store `host.store` names: an SQLite file (relative to the configuration file's
/// folder), or a PostgreSQL database (its password resolved through the vault).
enum StoreLocation {
    /// The SQLite file, when the store is one (nil for PostgreSQL).
    static func sqlitePath(_ configuration: HostConfiguration) -> String? {
        switch configuration.store {
        case .sqlite(let path): CredentialVault.resolve(path, against: configuration.baseDirectory)
        case .postgres: nil
        }
    }

    /// Where the store is, for messages (a PostgreSQL URL has no password).
    static func display(_ configuration: HostConfiguration) -> String {
        sqlitePath(configuration) ?? configuration.store.description
    }

    /// Runs `body` with the store open; a PostgreSQL store's pool and listener live exactly as long.
    static func withStore<T: Sendable>(_ configuration: HostConfiguration, logger: Logger,
                                       _ body: @Sendable (any HostStore) async throws -> T) async throws -> T {
        switch configuration.store {
        case .sqlite(let path):
            return try await body(try SQLiteStore(path: CredentialVault.resolve(path, against: configuration.baseDirectory)))
        case .postgres(let url):
            let location = try PostgresLocation(url: url)
            let vault = CredentialVault(configuration: configuration.vault, redactor: SecretRedactor())
            let password: Secret? = switch configuration.storePassword {
            case .reference(let reference): try vault.resolve(reference)
            case .literal(let secret): secret
            case nil: nil
            }
            return try await PostgresStore.withStore(location, password: password, logger: logger, body)
        }
    }

    /// For an SQLite store, the lock that keeps a second host (or a reset) off it; PostgreSQL is
    /// shared by design and needs none. Nil when another process holds the lock.
    static func runLock(_ configuration: HostConfiguration) throws -> StoreRunLock?? {
        guard let path = sqlitePath(configuration) else { return .some(nil) }
        guard let lock = try StoreRunLock.acquire(storePath: path) else { return nil }
        return .some(lock)
    }
}
