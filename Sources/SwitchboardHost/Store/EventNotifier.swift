import Synchronization

/// Wakes tasks waiting for the event log to grow past an id (in-process, no polling).
public final class EventNotifier: Sendable {
    private struct State {
        var latest: Int64 = 0
        var waiters: [Int: (beyond: Int64, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    /// A notifier with nothing announced yet.
    public init() {}

    /// Records a new latest id and wakes the waiters it satisfies.
    public func advance(to id: Int64) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.latest = max(state.latest, id)
            let satisfied = state.waiters.filter { $0.value.beyond < state.latest }
            for key in satisfied.keys { state.waiters[key] = nil }
            return satisfied.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once an id beyond `id` was announced; throws `CancellationError` when cancelled.
    public func wait(beyond id: Int64) async throws {
        let key = state.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case ready, cancelled, waiting }
                let outcome = state.withLock { state -> Outcome in
                    if state.latest > id { return .ready }
                    // Cancelled before registering: the cancellation handler found nothing to resume.
                    if Task.isCancelled { return .cancelled }
                    state.waiters[key] = (id, continuation)
                    return .waiting
                }
                switch outcome {
                case .ready: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let continuation = state.withLock { $0.waiters.removeValue(forKey: key)?.continuation }
            continuation?.resume(throwing: CancellationError())
        }
    }
}
