import Synchronization

/// Caches an access token and refreshes it single-flight: however many callers ask at once on an
/// empty or invalidated cache, one fetch runs, and its result reaches every waiter. Decisions are
/// made by ``TokenStateMachine``; this class keeps the continuations and acts.
///
/// The fetch runs inline in the task of the caller that found the cache empty (structured: no
/// task of its own). If that caller is cancelled mid-fetch, a waiting caller takes the fetch over;
/// any other failure reaches every waiter, and the next request fetches again.
public final class TokenProvider<Token: Sendable & Equatable>: Sendable {
    /// Fetches a token and, when the server says, its lifetime.
    public typealias Fetch = @Sendable () async throws -> (token: Token, lifetime: Duration?)

    /// What a suspended caller is woken with.
    enum Wakeup: Sendable {
        case token(Token)
        case fetchYourself
    }

    private struct Shared {
        var machine: TokenStateMachine<Token>
        var continuations: [Int: CheckedContinuation<Wakeup, any Error>] = [:]
        var nextWaiter = 0
    }

    private let shared: Mutex<Shared>
    private let fetch: Fetch

    /// Creates a provider over a fetch function.
    public init(refreshMargin: Duration = .seconds(60), fetch: @escaping Fetch) {
        self.shared = Mutex(Shared(machine: TokenStateMachine(refreshMargin: refreshMargin)))
        self.fetch = fetch
    }

    /// A valid token: from the cache, from the fetch in flight, or from a new fetch.
    public func token() async throws -> Token {
        // Fast path: a valid cached token needs one lock, no suspension.
        if let token = shared.withLock({ $0.machine.cachedToken(now: .now) }) { return token }
        let waiter = shared.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let wakeup = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Wakeup, any Error>) in
                let immediate: Wakeup? = shared.withLock { state in
                    switch state.machine.requestToken(waiter: waiter, now: .now) {
                    case .use(let token): return .token(token)
                    case .fetch: return .fetchYourself
                    case .wait:
                        state.continuations[waiter] = continuation
                        return nil
                    }
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let continuation = shared.withLock { state -> CheckedContinuation<Wakeup, any Error>? in
                guard state.machine.cancelWaiter(waiter) else { return nil }
                return state.continuations.removeValue(forKey: waiter)
            }
            continuation?.resume(throwing: CancellationError())
        }
        switch wakeup {
        case .token(let token): return token
        case .fetchYourself: return try await runFetch()
        }
    }

    /// Drops `token` after the server rejected it (HTTP 401), unless a newer one replaced it.
    public func invalidate(_ token: Token) {
        shared.withLock { $0.machine.invalidate(token) }
    }

    private func runFetch() async throws -> Token {
        do {
            let value = try await fetch()
            let waiters = shared.withLock { state in
                state.machine.fetchSucceeded(value.token, lifetime: value.lifetime, now: .now).compactMap { state.continuations.removeValue(forKey: $0) }
            }
            for continuation in waiters { continuation.resume(returning: .token(value.token)) }
            return value.token
        } catch {
            if Task.isCancelled {
                // Hand the fetch to a waiter rather than failing callers that were not cancelled.
                let successor = shared.withLock { state in state.machine.fetcherCancelled().flatMap { state.continuations.removeValue(forKey: $0) } }
                successor?.resume(returning: .fetchYourself)
                throw error
            }
            let waiters = shared.withLock { state in state.machine.fetchFailed().compactMap { state.continuations.removeValue(forKey: $0) } }
            for continuation in waiters { continuation.resume(throwing: error) }
            throw error
        }
    }
}
