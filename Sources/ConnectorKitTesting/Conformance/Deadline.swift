import Synchronization

/// Runs `operation` in a task of its own and waits at most `limit` for it. Returns `nil` on timeout,
/// after cancelling the operation (a connector that ignores cancellation is left cancelled, and the
/// check that called this reports it).
func finishing<T: Sendable>(within limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
    let slot = Mutex<CheckedContinuation<Result<T, any Error>?, Never>?>(nil)
    let resume: @Sendable (Result<T, any Error>?) -> Void = { value in
        slot.withLock { continuation in
            continuation?.resume(returning: value)
            continuation = nil
        }
    }
    var tasks: [Task<Void, Never>] = []
    let outcome = await withCheckedContinuation { continuation in
        slot.withLock { $0 = continuation }
        tasks.append(Task {
            do { resume(.success(try await operation())) } catch { resume(.failure(error)) }
        })
        tasks.append(Task {
            try? await Task.sleep(for: limit)
            resume(nil)
        })
    }
    for task in tasks { task.cancel() }
    return outcome
}

extension Duration {
    /// `1.5 s`, `200 ms`.
    var shown: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return milliseconds >= 1000 ? "\(Double(milliseconds) / 1000) s" : "\(milliseconds) ms"
    }
}
