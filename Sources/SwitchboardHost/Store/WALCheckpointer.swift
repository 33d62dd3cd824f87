import Foundation
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log into the database file in the background, on a connection of its
/// own, so that no write waits for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold: that commit
/// (an agent message on its way to the assistant, a page of a sync) then waits for a few
/// megabytes to be copied and synced — the tail of the relay latency. Here each write arms one
/// passive checkpoint a quarter of a second later, run on a serial queue the store owns; a
/// passive checkpoint never blocks writers. SQLite's own checkpoint stays as a backstop at a
/// larger size (``autoCheckpointPages``).
final class WALCheckpointer: Sendable {
    /// The automatic checkpoint's threshold, in pages (64 MiB at 4 KiB pages).
    static let autoCheckpointPages = 16_384
    /// How long after a write the checkpoint runs (writes in between share it).
    static let delay: DispatchTimeInterval = .milliseconds(250)

    private let path: String
    private let queue = DispatchQueue(label: "switchboard.store.wal-checkpoint")
    /// Whether a checkpoint is scheduled and not yet started.
    private let armed = Mutex(false)
    /// The checkpoint connection, opened on first use on `queue`, closed with the checkpointer.
    private let connection = Mutex<OpaquePointer?>(nil)
    /// Checkpoints run so far (for tests and diagnostics).
    private let runs = Atomic<Int>(0)

    /// A checkpointer for the database at `path` (in WAL mode).
    init(path: String) {
        self.path = path
    }

    /// Checkpoints completed so far.
    var completedRuns: Int { runs.load(ordering: .relaxed) }

    /// Notes a committed write: arms a checkpoint unless one is already waiting.
    func writeCommitted() {
        let arm = armed.withLock { armed in
            if armed { return false }
            armed = true
            return true
        }
        guard arm else { return }
        queue.asyncAfter(deadline: .now() + Self.delay) { [weak self] in self?.run() }
    }

    private func run() {
        armed.withLock { $0 = false }
        connection.withLock { connection in
            if connection == nil {
                var opened: OpaquePointer?
                guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
                    sqlite3_close_v2(opened)
                    return
                }
                sqlite3_busy_timeout(opened, 5_000)
                sqlite3_exec(opened, "PRAGMA synchronous = FULL", nil, nil, nil)
                connection = opened
            }
            // Passive: copies what no reader still needs, never waits for or blocks a writer.
            if sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK {
                runs.add(1, ordering: .relaxed)
            }
        }
    }

    deinit {
        connection.withLock { connection in
            if let connection { sqlite3_close_v2(connection) }
        }
    }
}
