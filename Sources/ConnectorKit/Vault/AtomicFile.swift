#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// File operations the vault needs to never leave a half-written file: write to a temporary file
/// in the same folder, `fsync`, `rename` over the target, `fsync` the folder; and an advisory
/// `flock` so concurrent writers (processes or threads) take turns. (Foundation's
/// `write(atomically:)` on Linux leaves a `TemporaryDirectory.*` folder behind in /tmp per write.)
public enum AtomicFile {
    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Reads a whole file.
    static func read(_ path: String) throws(VaultError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            if !FileManager.default.fileExists(atPath: path) { throw .vaultMissing(path) }
            throw .fileUnreadable(path, "permission denied or not a regular file")
        }
        return data
    }

    /// Replaces `path` with `data` atomically, creating it with `mode`.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws(VaultError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(path, errnoText()) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errnoText()
                    return
                }
                offset += written
            }
        }
        if failure == nil, fchmod(fd, mode) != 0 { failure = errnoText() }
        if failure == nil, fsync(fd) != 0 { failure = errnoText() }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = errnoText() }
        if let failure {
            unlink(temporary)
            throw .io(path, failure)
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// Runs `body` while holding an exclusive advisory lock on `path.lock`.
    static func withExclusiveLock<T>(_ path: String, _ body: () throws(VaultError) -> T) throws(VaultError) -> T {
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(lockPath, errnoText()) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw .io(lockPath, errnoText()) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Creates the folder that will hold `path`, if needed, private to the user.
    static func ensureParentDirectory(of path: String) throws(VaultError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard !FileManager.default.fileExists(atPath: directory) else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch { throw .io(directory, "cannot create folder") }
    }
}
