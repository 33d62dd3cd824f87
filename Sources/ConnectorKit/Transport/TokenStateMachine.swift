/// The access-token cache as a pure state machine (async-http-client style): it decides, the
/// ``TokenProvider`` acts. One refresh at a time (single flight): callers arriving while a token
/// is being fetched wait for that fetch, and its result — success or failure — reaches them all.
///
/// A token with a lifetime is used until `refreshMargin` before it expires; a token without one
/// (Salesforce's JWT bearer flow returns none) is used until invalidated after a 401.
public struct TokenStateMachine<Token: Sendable & Equatable>: Sendable {
    enum State: Sendable {
        case empty
        case fetching(waiters: [Int])
        case valid(Token, expiresAt: ContinuousClock.Instant?)
    }

    /// What the provider must do for a caller.
    public enum RequestAction: Sendable, Equatable {
        /// Use this token now.
        case use(Token)
        /// This caller fetches a token and reports back with ``fetchSucceeded(_:lifetime:now:)`` or ``fetchFailed()``.
        case fetch
        /// Suspend this caller until the fetch in flight completes.
        case wait
    }

    private var state: State = .empty
    /// How long before expiry a token is refreshed.
    public let refreshMargin: Duration

    /// An empty cache.
    public init(refreshMargin: Duration = .seconds(60)) { self.refreshMargin = refreshMargin }

    /// The cached token if it can be used now, without changing anything (the providers' fast path).
    public func cachedToken(now: ContinuousClock.Instant) -> Token? {
        guard case .valid(let token, let expiresAt) = state else { return nil }
        if let expiresAt, now >= expiresAt - refreshMargin { return nil }
        return token
    }

    /// A caller (identified by `waiter`) wants a token.
    public mutating func requestToken(waiter: Int, now: ContinuousClock.Instant) -> RequestAction {
        switch state {
        case .valid(let token, let expiresAt):
            if let expiresAt, now >= expiresAt - refreshMargin {
                state = .fetching(waiters: [])
                return .fetch
            }
            return .use(token)
        case .empty:
            state = .fetching(waiters: [])
            return .fetch
        case .fetching(var waiters):
            waiters.append(waiter)
            state = .fetching(waiters: waiters)
            return .wait
        }
    }

    /// The fetch succeeded: returns the waiters to resume with `token`.
    public mutating func fetchSucceeded(_ token: Token, lifetime: Duration?, now: ContinuousClock.Instant) -> [Int] {
        let waiters = currentWaiters
        state = .valid(token, expiresAt: lifetime.map { now + $0 })
        return waiters
    }

    /// The fetch failed: returns the waiters to resume with the same error. The next request fetches again.
    public mutating func fetchFailed() -> [Int] {
        let waiters = currentWaiters
        state = .empty
        return waiters
    }

    /// The caller running the fetch was cancelled before it finished. The first waiter, if any,
    /// takes over the fetch (returned); otherwise the cache is empty again.
    public mutating func fetcherCancelled() -> Int? {
        guard case .fetching(var waiters) = state, !waiters.isEmpty else {
            state = .empty
            return nil
        }
        let next = waiters.removeFirst()
        state = .fetching(waiters: waiters)
        return next
    }

    /// A waiter gave up (its task was cancelled): it is no longer resumed.
    public mutating func cancelWaiter(_ waiter: Int) -> Bool {
        guard case .fetching(var waiters) = state, let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        state = .fetching(waiters: waiters)
        return true
    }

    /// The server rejected `token` (HTTP 401). Drops it — unless a newer token already replaced it,
    /// so a burst of 401s from one stale token causes one refresh, not many.
    public mutating func invalidate(_ token: Token) {
        if case .valid(let current, _) = state, current == token { state = .empty }
    }

    private var currentWaiters: [Int] {
        if case .fetching(let waiters) = state { return waiters }
        return []
    }
}
