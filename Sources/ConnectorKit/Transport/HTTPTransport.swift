import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Synchronization

/// Supplies access tokens to ``HTTPTransport`` and learns when one was refused.
public protocol AccessTokenSource: Sendable {
    /// A valid token.
    func token() async throws -> String
    /// The server refused `token` (HTTP 401).
    func invalidate(_ token: String)
}

extension TokenProvider: AccessTokenSource where Token == String {}

/// The host's one HTTP client, handed to modules through their context: timeouts, retries by
/// ``RetryPolicy`` (with `Retry-After`), one re-authentication on 401, a per-host concurrency limit,
/// metrics by connector and status, and logs that never carry `Authorization`, tokens or bodies.
public final class HTTPTransport: Sendable {
    /// Opens an event stream read by another process (see ``EventStream/RemoteSource``).
    public typealias RemoteEventOpener = @Sendable (EventStream.Request) -> any EventStream.RemoteSource

    /// Tuning.
    public struct Configuration: Sendable {
        /// Time to establish a connection.
        public var connectTimeout: Duration = .seconds(10)
        /// Time without bytes while reading a response.
        public var readTimeout: Duration = .seconds(30)
        /// Time one attempt may take in all.
        public var attemptTimeout: Duration = .seconds(60)
        /// Requests at once per host.
        public var maxConcurrentPerHost = 16
        /// Event streams open at once per host (each holds a connection for its lifetime: one per
        /// employee in live-agent handoffs).
        public var maxStreamsPerHost = 20_000
        /// Largest response body read into memory.
        public var maxBodyBytes = 32 << 20
        /// When to retry.
        public var retry = RetryPolicy()

        /// The defaults.
        public init() {}
    }

    /// One request.
    public struct Request: Sendable {
        /// GET, POST, PATCH, DELETE, …
        public var method: String
        /// Absolute URL.
        public var url: String
        /// Headers (an `Authorization` header here is never logged).
        public var headers: [(String, String)]
        /// The body.
        public var body: [UInt8]?
        /// Whether repeating the request is harmless. Defaults to true for GET/HEAD/PUT/DELETE/OPTIONS.
        public var safeToRepeat: Bool
        /// Adds `Authorization: Bearer …` from this source, re-authenticating once on 401.
        public var authorization: (any AccessTokenSource)?
        /// The connector on whose behalf the request is made (metrics, logs).
        public var connector: String

        /// Creates a request.
        public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                    safeToRepeat: Bool? = nil, authorization: (any AccessTokenSource)? = nil, connector: String = "host") {
            self.method = method.uppercased()
            self.url = url
            self.headers = headers
            self.body = body
            self.safeToRepeat = safeToRepeat ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method.uppercased())
            self.authorization = authorization
            self.connector = connector
        }

        /// A JSON request body.
        public static func json(_ method: String, url: String, body: some Encodable, safeToRepeat: Bool? = nil,
                                authorization: (any AccessTokenSource)? = nil, connector: String = "host") throws -> Request {
            Request(method: method, url: url, headers: [("Content-Type", "application/json")], body: Array(try JSONEncoder().encode(body)),
                    safeToRepeat: safeToRepeat, authorization: authorization, connector: connector)
        }
    }

    /// A response, body read whole.
    public struct Response: Sendable {
        /// Status code.
        public var status: Int
        /// Headers.
        public var headers: [(String, String)]
        /// The body.
        public var body: [UInt8]
        /// How many attempts it took.
        public var attempts: Int

        /// Creates a response.
        public init(status: Int, headers: [(String, String)], body: [UInt8], attempts: Int = 1) {
            self.status = status
            self.headers = headers
            self.body = body
            self.attempts = attempts
        }

        /// The first header with a name (case-insensitive).
        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

        /// Decodes a JSON body.
        public func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: Data(body)) }
    }

    private let client: HTTPClient
    /// Clients for event streams, one per idle timeout: the read timeout is the idle timeout.
    private let streamingClients = Mutex<[Duration: HTTPClient]>([:])
    let configuration: Configuration
    let logger: Logger
    private let gates = Mutex<[String: ConcurrencyGate]>([:])

    /// Sends requests through another process's transport (an external module's host), when set.
    private let remote: (@Sendable (Request) async throws -> Response)?
    /// Opens event streams through another process's transport, when set.
    let remoteEvents: RemoteEventOpener?

    /// A transport whose requests and event streams another process sends and reads (an external
    /// module asks its host, which applies its retries, reconnects, limits and metrics). An
    /// `authorization` source stays here: its token is added as `Authorization: Bearer`, and a 401
    /// invalidates it and retries once with a new one (event streams: reconnect once).
    public init(remote: @escaping @Sendable (Request) async throws -> Response, events: RemoteEventOpener? = nil, logger: Logger) {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        self.configuration = Configuration()
        self.logger = logger
        self.remote = remote
        self.remoteEvents = events
    }

    /// Creates the transport. Call ``shutdown()`` when done.
    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.remote = nil
        self.remoteEvents = nil
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout = .init(connect: .init(configuration.connectTimeout), read: .init(configuration.readTimeout))
        clientConfiguration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        self.configuration = configuration
        self.logger = logger
    }

    /// Closes every connection.
    public func shutdown() async throws {
        let streaming = streamingClients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in streaming { try await client.shutdown() }
        try await client.shutdown()
    }

    /// A request sent by another process: this process's token source authorises it (the other
    /// process sees the token, never how it was obtained), and a 401 gets one new token and one retry.
    private static func sendRemotely(_ request: Request, through remote: @Sendable (Request) async throws -> Response) async throws -> Response {
        guard let authorization = request.authorization else { return try await remote(request) }
        var retried = false
        while true {
            let token = try await authorization.token()
            var outgoing = request
            outgoing.authorization = nil
            outgoing.headers = outgoing.headers.filter { $0.0.lowercased() != "authorization" } + [("Authorization", "Bearer \(token)")]
            let response = try await remote(outgoing)
            guard response.status == 401, !retried else { return response }
            authorization.invalidate(token)
            retried = true
        }
    }

    /// The streaming client whose read timeout is `idleTimeout`, made on first use.
    func streamingClient(idleTimeout: Duration) -> HTTPClient {
        streamingClients.withLock { clients in
            if let client = clients[idleTimeout] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .init(self.configuration.connectTimeout), read: .init(idleTimeout))
            configuration.redirectConfiguration = .disallow
            // A stream holds its connection for as long as it lives: AHC's default of 8 connections
            // per host would queue the ninth stream until another ends.
            configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                                 concurrentHTTP1ConnectionsPerHostSoftLimit: self.configuration.maxStreamsPerHost)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[idleTimeout] = client
            return client
        }
    }

    /// Sends a request with retries; returns the final response whatever its status.
    /// - Throws: ``TransportError`` when retries are exhausted or the request could not be sent.
    public func send(_ request: Request) async throws -> Response {
        if let remote { return try await Self.sendRemotely(request, through: remote) }
        let started = ContinuousClock.now
        var attempt = 0
        var reauthenticated = false
        let host = URL(string: request.url)?.host ?? request.url
        while true {
            attempt += 1
            try Task.checkCancellation()
            let token = try await request.authorization?.token()
            let outcome: RetryPolicy.Outcome
            var response: Response?
            do {
                let (status, headers, body) = try await perform(request, token: token, host: host)
                response = Response(status: status, headers: headers, body: body, attempts: attempt)
                outcome = .response(status: status, retryAfter: response?.header("Retry-After"))
            } catch let error as TransportError {
                throw error
            } catch {
                // A cancelled caller is never retried (AsyncHTTPClient reports it with its own error type).
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                outcome = Self.classify(error)
                logger.debug("HTTP attempt failed", metadata: ["connector": .string(request.connector), "method": .string(request.method),
                                                                "host": .string(host), "error": .string(String(describing: type(of: error)))])
            }
            let decision = configuration.retry.decide(
                attempt: attempt, outcome: outcome, elapsed: ContinuousClock.now - started, safeToRepeat: request.safeToRepeat,
                reauthenticated: reauthenticated, now: Date(), random: Double.random(in: 0...1))
            switch decision {
            case .finish:
                if let response { return response }
                throw TransportError.connectionFailed(url: Self.redacted(request.url), attempts: attempt)
            case .reauthenticate:
                if let token { request.authorization?.invalidate(token) }
                reauthenticated = true
                if request.authorization == nil, let response { return response }
            case .retry(let delay):
                Counter(label: "switchboard_http_retries_total", dimensions: [("connector", request.connector)]).increment()
                logger.debug("HTTP retry", metadata: ["connector": .string(request.connector), "host": .string(host),
                                                      "attempt": .stringConvertible(attempt), "delay": .string(DurationFormat.format(delay))])
                try await Task.sleep(for: delay)
            case .giveUp(let reason):
                if case .response(let status, _) = outcome {
                    throw TransportError.gaveUp(url: Self.redacted(request.url), status: status, attempts: attempt, reason: reason)
                }
                throw TransportError.gaveUp(url: Self.redacted(request.url), status: nil, attempts: attempt, reason: reason)
            }
        }
    }

    private func perform(_ request: Request, token: String?, host: String) async throws -> (Int, [(String, String)], [UInt8]) {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let token { outgoing.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let gate = gate(for: host)
        try await gate.acquire()
        defer { gate.release() }
        let start = ContinuousClock.now
        let response = try await client.execute(outgoing, timeout: .init(configuration.attemptTimeout))
        let body = try await response.body.collect(upTo: configuration.maxBodyBytes)
        let status = Int(response.status.code)
        Counter(label: "switchboard_http_requests_total", dimensions: [("connector", request.connector), ("status", String(status))]).increment()
        let elapsed = (ContinuousClock.now - start).components
        Metrics.Timer(label: "switchboard_http_request_duration", dimensions: [("connector", request.connector)])
            .recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        return (status, response.headers.map { ($0.name, $0.value) }, Array(buffer: body))
    }

    private func gate(for host: String) -> ConcurrencyGate {
        gates.withLock { gates in
            if let gate = gates[host] { return gate }
            let gate = ConcurrencyGate(limit: configuration.maxConcurrentPerHost)
            gates[host] = gate
            return gate
        }
    }

    /// Connection refused (nothing sent) versus anything else that broke mid-way.
    static func classify(_ error: any Error) -> RetryPolicy.Outcome {
        let text = String(describing: error).lowercased()
        if text.contains("connectionrefused") || text.contains("connection refused") || text.contains("connecttimeout") {
            return .connectionRefused
        }
        return .connectionLost
    }

    /// A URL without its query (which may carry tokens), for messages.
    static func redacted(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}

/// Why a request failed, without tokens, query strings or bodies.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable {
        case gaveUp(url: String, status: Int?, attempts: Int, reason: String)
        case connectionFailed(url: String, attempts: Int)
    }

    let code: Code

    static func gaveUp(url: String, status: Int?, attempts: Int, reason: String) -> Self {
        .init(code: .gaveUp(url: url, status: status, attempts: attempts, reason: reason))
    }
    static func connectionFailed(url: String, attempts: Int) -> Self { .init(code: .connectionFailed(url: url, attempts: attempts)) }

    /// The last HTTP status, when there was one.
    public var status: Int? { if case .gaveUp(_, let status, _, _) = code { status } else { nil } }
    /// How many attempts were made.
    public var attempts: Int {
        switch code {
        case .gaveUp(_, _, let attempts, _), .connectionFailed(_, let attempts): attempts
        }
    }

    /// What happened without the URL: `HTTP 429, gave up after 4 attempts (4 attempts)`.
    public var summary: String {
        switch code {
        case .gaveUp(_, let status, let attempts, let reason):
            "\(status.map { "HTTP \($0), " } ?? "")\(reason) (\(attempts) attempt\(attempts == 1 ? "" : "s"))"
        case .connectionFailed(_, let attempts):
            "could not connect (\(attempts) attempt\(attempts == 1 ? "" : "s"))"
        }
    }

    public var description: String {
        switch code {
        case .gaveUp(let url, let status, let attempts, let reason):
            "\(url): \(status.map { "HTTP \($0), " } ?? "")\(reason) (\(attempts) attempt\(attempts == 1 ? "" : "s"))"
        case .connectionFailed(let url, let attempts):
            "\(url): could not connect (\(attempts) attempt\(attempts == 1 ? "" : "s"))"
        }
    }
}
