import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The store's files hold personal data (users, tickets, handoffs): like the vault and the keys,
/// they are private to the user — the folder 0700 when the host creates it, the database 0600 before
/// SQLite opens it (SQLite gives its `-wal` and `-shm` files the database's own mode), and files an
/// older version left readable by others are tightened.
enum PrivateStoreFiles {
    /// Prepares the folder and the database file at `path`.
    static func prepare(databaseAt path: String) throws {
        try prepareFolder(of: path)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        close(descriptor)
        for file in [path, path + "-wal", path + "-shm"] { tighten(file) }
    }

    /// Creates the folder that holds `path` (0700) when it is missing.
    static func prepareFolder(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Takes group and other permissions off an existing file.
    static func tighten(_ file: String) {
        var status = stat()
        guard stat(file, &status) == 0, status.st_mode & 0o077 != 0 else { return }
        chmod(file, status.st_mode & 0o700)
    }
}
