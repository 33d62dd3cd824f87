/// The life of one SSE subscription as a pure state machine: when to connect, with which headers,
/// when to reconnect and after how long, when the stream has gone quiet, and when to give up.
/// The SSE client (on the shared HTTP transport) performs the actions; tests drive it with no socket.
///
/// Rules: a 200 with `text/event-stream` opens the stream; 204 means the server wants no more
/// (closed for good); 401 re-authenticates once; 429 and 5xx, network errors and a dropped stream
/// reconnect — after the server's `retry:` hint when it gave one, else exponential backoff with
/// jitter; other statuses and content types fail with a reason. Reconnects send `Last-Event-ID`.
/// A stream with no bytes at all (not even a comment) for `idleTimeout` is reconnected.
public struct SSEConnectionStateMachine: Sendable {
    /// Tuning.
    public struct Configuration: Sendable, Hashable {
        /// Reconnection delay before any `retry:` hint (the spec suggests a few seconds).
        public var initialDelay: Duration
        /// The longest delay between reconnection attempts.
        public var maxDelay: Duration
        /// Silence after which the stream is considered dead.
        public var idleTimeout: Duration
        /// Consecutive failed attempts before giving up (nil: never).
        public var maxConsecutiveFailures: Int?

        /// Creates a configuration.
        public init(initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30), idleTimeout: Duration = .seconds(45),
                    maxConsecutiveFailures: Int? = nil) {
            self.initialDelay = initialDelay
            self.maxDelay = maxDelay
            self.idleTimeout = idleTimeout
            self.maxConsecutiveFailures = maxConsecutiveFailures
        }
    }

    /// What the client must do.
    public enum Action: Sendable, Hashable {
        /// Open a request with these headers.
        case connect(headers: [String: String])
        /// Read the body, feeding the parser.
        case read
        /// Close any connection, wait, then ``reconnectDue()``.
        case reconnect(after: Duration)
        /// Get a new access token, then ``reconnectDue()`` at once.
        case reauthenticate
        /// Close and stop: the subscription is over (the reason says why; `nil` when asked to or
        /// when the server ended it normally with 204).
        case close(reason: String?)
        /// Nothing to do.
        case none
    }

    enum State: Sendable, Hashable {
        case idle, connecting, streaming, waiting, closed
    }

    /// The configuration.
    public let configuration: Configuration
    private(set) var state: State = .idle
    /// The last event ID received, sent as `Last-Event-ID` on reconnect.
    public private(set) var lastEventID: String?
    private var serverRetry: Duration?
    private var failures = 0
    private var reauthenticated = false
    private var lastActivity: ContinuousClock.Instant?

    /// A subscription not yet started.
    public init(configuration: Configuration = Configuration(), lastEventID: String? = nil) {
        self.configuration = configuration
        self.lastEventID = lastEventID.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Starts the subscription.
    public mutating func start() -> Action { connectAction() }

    /// The reconnection delay passed (or re-authentication finished).
    public mutating func reconnectDue() -> Action {
        guard state == .waiting else { return .none }
        return connectAction()
    }

    /// The server answered the request.
    public mutating func responseReceived(status: Int, contentType: String?, now: ContinuousClock.Instant) -> Action {
        guard state == .connecting else { return .none }
        switch status {
        case 200:
            let type = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard type == "text/event-stream" else {
                return close("the server answered with \(contentType ?? "no content type"), not text/event-stream")
            }
            state = .streaming
            lastActivity = now
            reauthenticated = false
            return .read
        case 204:
            // The spec's way for a server to say "no more events": a normal end, not a failure.
            state = .closed
            return .close(reason: nil)
        case 401:
            guard !reauthenticated else { return close("the server refused the new access token too (401)") }
            reauthenticated = true
            state = .waiting
            return .reauthenticate
        case 429, 500...599:
            return scheduleReconnect(failed: true)
        default:
            return close("the server answered \(status)")
        }
    }

    /// Bytes arrived (any: events, comments, keep-alives).
    public mutating func bytesReceived(now: ContinuousClock.Instant) {
        if state == .streaming { lastActivity = now }
    }

    /// The parser dispatched an event (or saw a `retry:` field).
    public mutating func eventReceived(id: String?, retryMilliseconds: Int?) {
        if let id { lastEventID = id.isEmpty ? nil : id }
        if let retryMilliseconds { serverRetry = .milliseconds(Int64(min(retryMilliseconds, 86_400_000))) }
        failures = 0
    }

    /// The connection failed or the stream ended.
    public mutating func connectionEnded(now: ContinuousClock.Instant) -> Action {
        guard state == .connecting || state == .streaming else { return .none }
        let failed = state == .connecting
        return scheduleReconnect(failed: failed)
    }

    /// Checks for silence; call it periodically while streaming.
    public mutating func tick(now: ContinuousClock.Instant) -> Action {
        guard state == .streaming, let lastActivity, now - lastActivity >= configuration.idleTimeout else { return .none }
        return scheduleReconnect(failed: false)
    }

    /// The owner wants the subscription over.
    public mutating func cancel() -> Action {
        guard state != .closed else { return .none }
        state = .closed
        return .close(reason: nil)
    }

    /// The delay before the next attempt after `failures` consecutive failures, with `random` in 0…1 for jitter.
    public func backoff(failures: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        if let serverRetry { return serverRetry }
        // Equal jitter: half fixed, half random, so reconnect storms spread out but never collapse to zero.
        return Backoff(initial: configuration.initialDelay, maximum: configuration.maxDelay, jitter: .equal).delay(attempt: failures, random: random)
    }

    private mutating func connectAction() -> Action {
        state = .connecting
        var headers = ["Accept": "text/event-stream", "Cache-Control": "no-cache"]
        if let lastEventID { headers["Last-Event-ID"] = lastEventID }
        return .connect(headers: headers)
    }

    private mutating func scheduleReconnect(failed: Bool) -> Action {
        if failed { failures += 1 }
        if let limit = configuration.maxConsecutiveFailures, failures >= limit {
            return close("gave up after \(failures) failed attempts")
        }
        state = .waiting
        return .reconnect(after: failed ? backoff(failures: failures) : (serverRetry ?? configuration.initialDelay))
    }

    private mutating func close(_ reason: String) -> Action {
        state = .closed
        return .close(reason: reason)
    }
}
