import Synchronization

/// Idempotency keys whose creation is in progress in this process: a second request with the same
/// key while the first is still out would look for a Case the first has not made yet, and make
/// another. It is refused instead (409), to be retried.
final class InFlightKeys: Sendable {
    private let keys = Mutex<Set<String>>([])

    /// Claims `key`; false when it is already claimed.
    func claim(_ key: String) -> Bool { keys.withLock { $0.insert(key).inserted } }

    /// Releases `key`.
    func release(_ key: String) { _ = keys.withLock { $0.remove(key) } }
}
