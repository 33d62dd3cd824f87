import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lock `switchboard run` holds on its store for as long as it runs (an advisory `flock` on
/// `<store>.run-lock`): a second host on the same store refuses to start, and `state reset`
/// refuses while a host runs. The kernel releases it when the process dies, even by SIGKILL.
/// A running host writes its process id into it (``recordHolder()``), which is how
/// `switchboard reload` finds the host to signal (``holder(lockPath:)``).
public final class StoreRunLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Takes the lock, or returns nil when another process holds it.
    /// - Throws: ``StoreError`` when the lock file cannot be created.
    public static func acquire(storePath: String) throws -> StoreRunLock? {
        try acquire(lockPath: storePath + suffix)
    }

    /// How a run lock file's name ends (`state.db.run-lock`, `hosts/4711.run-lock`).
    public static let suffix = ".run-lock"


    /// Takes the lock at `path` (made when missing), or returns nil when another process holds it.
    /// - Throws: ``StoreError`` when the lock file cannot be created.
    public static func acquire(lockPath path: String) throws -> StoreRunLock? {
        try? PrivateStoreFiles.prepareFolder(of: path)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        // A previous holder's pid is not this holder's: `holder(lockPath:)` must never name a process
        // that may be gone (its pid reused) — only one that recorded itself under this lock.
        _ = ftruncate(descriptor, 0)
        return StoreRunLock(descriptor: descriptor, path: path)
    }

    /// Writes this process's id into the lock file, for ``holder(lockPath:)``.
    public func recordHolder() {
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The process holding the lock at `path`, as it recorded itself; nil when nobody holds it (the
    /// host stopped or died) or the holder has not recorded itself yet.
    public static func holder(lockPath path: String) -> Int32? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
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
