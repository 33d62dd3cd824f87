import ConnectorKit
import Foundation
import Logging
import SwitchboardHost
import SwitchboardPostgres
#if canImport(Glibc)
import Glibc
#endif

/// Opens the store `host.store` names: an SQLite file (relative to the configuration file's
/// folder), or a PostgreSQL database (its password resolved through the vault).
enum StoreLocation {
    /// The SQLite file, when the store is one (nil for PostgreSQL).
    static func sqlitePath(_ configuration: HostConfiguration) -> String? {
        sqlitePath(configuration.store, baseDirectory: configuration.baseDirectory)
    }

    /// The SQLite file of `store`, relative paths against `baseDirectory` (nil for PostgreSQL).
    static func sqlitePath(_ store: HostConfiguration.StoreLocation, baseDirectory: String) -> String? {
        switch store {
        case .sqlite(let path): CredentialVault.resolve(path, against: baseDirectory)
        case .postgres: nil
        }
    }

    /// Where the store is, for messages (a PostgreSQL URL has no password).
    static func display(_ configuration: HostConfiguration) -> String {
        display(configuration.store, baseDirectory: configuration.baseDirectory)
    }

    /// Where `store` is, for messages.
    static func display(_ store: HostConfiguration.StoreLocation, baseDirectory: String) -> String {
        sqlitePath(store, baseDirectory: baseDirectory) ?? store.description
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

    /// What a command that must not share an SQLite store with a running host gets.
    enum Claim {
        /// The SQLite store's lock, held until released (keep it alive as long as the command runs).
        case exclusive(StoreRunLock)
        /// A PostgreSQL store: shared by design, nothing to lock.
        case shared
        /// Another process holds the SQLite store's lock.
        case heldElsewhere
    }

    /// The lock a running host holds so that `switchboard reload` finds it: the SQLite store's run
    /// lock (`claim`'s), or for PostgreSQL — several hosts by design — one per host process,
    /// ``hostsFolder(_:)``/`PID.run-lock`.
    static func hostLock(_ configuration: HostConfiguration, claim: Claim) throws -> StoreRunLock {
        if case .exclusive(let lock) = claim { return lock }
        let path = "\(hostsFolder(configuration.baseDirectory))/\(getpid())\(StoreRunLock.suffix)"
        guard let lock = try StoreRunLock.acquire(lockPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "another process holds it")
        }
        return lock
    }

    /// What a stopping host leaves behind for nobody: its reload answers, and on PostgreSQL its own run
    /// lock file (unlinked while still held; an SQLite store's lock file stays for the next holder).
    static func removeHostFiles(_ lock: StoreRunLock, claim: Claim) {
        try? FileManager.default.removeItem(atPath: ReloadOutcome.path(forLock: lock.path))
        if case .shared = claim { try? FileManager.default.removeItem(atPath: lock.path) }
    }

    /// Where hosts on a PostgreSQL store keep their run locks: `.switchboard/hosts` in the
    /// configuration file's folder.
    static func hostsFolder(_ baseDirectory: String) -> String {
        CredentialVault.resolve(".switchboard/hosts", against: baseDirectory)
    }

    /// For an SQLite store, the lock that keeps a second host (or a reset) off it.
    static func claim(_ configuration: HostConfiguration) throws -> Claim {
        guard let path = sqlitePath(configuration) else { return .shared }
        return try StoreRunLock.acquire(storePath: path).map(Claim.exclusive) ?? .heldElsewhere
    }
}
