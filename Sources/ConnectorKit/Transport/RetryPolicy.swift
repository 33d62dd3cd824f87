import Foundation

/// When to retry an HTTP request: a pure value (no clock, no randomness of its own), so every
/// path is tested without sockets.
///
/// - Retries connection failures and 429/500/502/503/504, for idempotent requests or requests the
///   caller marked safe (a 500 is Salesforce's "platform error": transient, but it may follow work
///   that was done, so it is never retried for a request that is not safe to repeat). A POST is never retried unless marked safe — except when the connection
///   was refused, since then nothing reached the server.
/// - Honours `Retry-After` (seconds or HTTP date), capped; otherwise exponential backoff with full
///   jitter. Bounded by attempts and by total elapsed time.
/// - A 401 asks for one re-authentication and retry.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The backoff before the first retry (before jitter).
    public var baseDelay: Duration
    /// The longest backoff between attempts.
    public var maxDelay: Duration
    /// The longest a request may take, retries included.
    public var maxElapsed: Duration
    /// The longest `Retry-After` honoured; a longer one gives up instead of blocking.
    public var retryAfterCap: Duration
    /// Statuses worth retrying.
    public var retryableStatuses: Set<Int>

    /// The defaults: 4 attempts, 200 ms doubling to 10 s, 60 s in all, `Retry-After` up to 30 s.
    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10),
                maxElapsed: Duration = .seconds(60), retryAfterCap: Duration = .seconds(30),
                retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxElapsed = maxElapsed
        self.retryAfterCap = retryAfterCap
        self.retryableStatuses = retryableStatuses
    }

    /// How an attempt ended.
    public enum Outcome: Sendable, Hashable {
        /// The server answered with a status; `retryAfter` is the header's raw value.
        case response(status: Int, retryAfter: String?)
        /// The connection could not be made: nothing was sent.
        case connectionRefused
        /// The connection broke or timed out after the request may have been sent.
        case connectionLost
    }

    /// What to do next.
    public enum Decision: Sendable, Hashable {
        /// Done: hand the response (or error) to the caller.
        case finish
        /// Wait, then send again.
        case retry(after: Duration)
        /// Invalidate the access token, get a new one, and send again at once.
        case reauthenticate
        /// Stop retrying; the reason says why.
        case giveUp(reason: String)
    }

    /// Decides after attempt number `attempt` (1-based) ended with `outcome`.
    /// - Parameters:
    ///   - attempt: the attempt that just ended, 1-based.
    ///   - outcome: how it ended.
    ///   - elapsed: time since the first attempt began.
    ///   - safeToRepeat: the method is idempotent, or the caller marked the request safe.
    ///   - reauthenticated: a re-authentication was already done for this request.
    ///   - now: the current time (a `Retry-After` date is measured from it).
    ///   - random: 0…1, chooses the jitter.
    public func decide(attempt: Int, outcome: Outcome, elapsed: Duration, safeToRepeat: Bool, reauthenticated: Bool,
                       now: Date, random: Double) -> Decision {
        let delay: Duration
        switch outcome {
        case .response(let status, _) where status == 401:
            return reauthenticated ? .finish : .reauthenticate
        case .response(let status, let retryAfter):
            guard retryableStatuses.contains(status) else { return .finish }
            guard safeToRepeat else { return .finish }
            if let retryAfter, let wait = Self.parseRetryAfter(retryAfter, now: now) {
                guard wait <= retryAfterCap else {
                    return .giveUp(reason: "the server asked to wait \(DurationFormat.format(wait)), more than the \(DurationFormat.format(retryAfterCap)) cap")
                }
                delay = wait
            } else {
                delay = backoff(attempt: attempt, random: random)
            }
        case .connectionRefused:
            delay = backoff(attempt: attempt, random: random)
        case .connectionLost:
            guard safeToRepeat else { return .giveUp(reason: "the connection broke after the request was sent, and it is not safe to repeat") }
            delay = backoff(attempt: attempt, random: random)
        }
        guard attempt < maxAttempts else { return .giveUp(reason: "gave up after \(attempt) attempts") }
        guard elapsed + delay <= maxElapsed else {
            return .giveUp(reason: "a retry would exceed the \(DurationFormat.format(maxElapsed)) limit")
        }
        return .retry(after: delay)
    }

    /// Full jitter: a uniform delay between 0 and min(maxDelay, base · 2^(attempt-1)) (``Backoff``).
    public func backoff(attempt: Int, random: Double) -> Duration {
        Backoff(initial: baseDelay, maximum: maxDelay, jitter: .full).delay(attempt: attempt, random: random)
    }

    /// Reads `Retry-After`: delta-seconds, or an HTTP date (IMF-fixdate, RFC 850 or asctime).
    /// A date in the past means no wait.
    public static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.allSatisfy(\.isASCIIDigit) {
            return Int64(text).map { .seconds($0) } ?? .seconds(Int64.max / 1_000_000_000_000)
        }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
            }
        }
        return nil
    }
}
