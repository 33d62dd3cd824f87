import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lock `switchboard run` holds on its store for as long as it runs (an advisory `flock` on
/// `<store>.run-lock`): a second host on the same store refuses to start, and `state reset`
/// refuses while a host runs. The kernel releases it when the process dies, even by SIGKILL.
public final class StoreRunLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Takes the lock, or returns nil when another process holds it.
    /// - Throws: ``StoreError`` when the lock file cannot be created.
    public static func acquire(storePath: String) throws -> StoreRunLock? {
        let path = storePath + ".run-lock"
        try? PrivateStoreFiles.prepareFolder(of: path)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return StoreRunLock(descriptor: descriptor, path: path)
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
