import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1

/// A Server-Sent Events subscription on the shared transport, as an `AsyncSequence` of events.
///
/// Consumer-driven: the connection is read only while the consumer asks for the next event, so
/// at most one network chunk's events wait in memory. Reconnects follow
/// ``SSEConnectionStateMachine`` — backoff or the server's `retry:`, `Last-Event-ID` on every
/// reconnect, one re-authentication on 401, reconnect after ``SSEConnectionStateMachine/Configuration/idleTimeout``
/// of silence. A 204 ends the sequence normally; a refusal ends it with ``EventStreamError``.
/// Cancelling the consuming task, or dropping the iterator, closes the connection at once.
public struct EventStream: AsyncSequence, Sendable {
    public typealias Element = ServerSentEvent

    /// What to subscribe to.
    public struct Request: Sendable {
        /// The stream URL.
        public var url: String
        /// Extra headers (an `Authorization` header here is never logged).
        public var headers: [(String, String)]
        /// Adds `Authorization: Bearer …`, re-authenticating once on 401.
        public var authorization: (any AccessTokenSource)?
        /// The connector on whose behalf (metrics, logs).
        public var connector: String
        /// Reconnection and idle tuning.
        public var configuration: SSEConnectionStateMachine.Configuration
        /// Resume after this event (a stored `Last-Event-ID`).
        public var lastEventID: String?

        /// Creates a subscription request.
        public init(url: String, headers: [(String, String)] = [], authorization: (any AccessTokenSource)? = nil, connector: String = "host",
                    configuration: SSEConnectionStateMachine.Configuration = .init(), lastEventID: String? = nil) {
            self.url = url
            self.headers = headers
            self.authorization = authorization
            self.connector = connector
            self.configuration = configuration
            self.lastEventID = lastEventID
        }
    }

    let transport: HTTPTransport
    let request: Request

    public func makeAsyncIterator() -> Iterator { Iterator(transport: transport, request: request) }

    /// An event stream another process reads for this one (an external module's host): what
    /// ``Iterator`` asks when its transport was made with ``HTTPTransport/init(remote:events:logger:)``.
    public protocol RemoteSource: AnyObject, Sendable {
        /// The next event; `nil` when the stream ended normally.
        func next() async throws -> ServerSentEvent?
        /// Connections opened so far.
        var connections: Int { get }
        /// The last event ID seen.
        var lastEventID: String? { get }
    }

    /// Reads events, reconnecting as needed.
    public struct Iterator: AsyncIteratorProtocol {
        private let transport: HTTPTransport
        private let request: Request
        private var machine: SSEConnectionStateMachine
        private var parser = SSEParser()
        private var action: SSEConnectionStateMachine.Action?
        private var body: HTTPClientResponse.Body.AsyncIterator?
        private var pending: [ServerSentEvent] = []
        private var pendingIndex = 0
        private var token: String?
        private var lastRetry: Int?
        private var opened = 0
        /// Reads through another process, when the transport is remote.
        private let remote: (any RemoteSource)?

        init(transport: HTTPTransport, request: Request) {
            self.transport = transport
            self.request = request
            self.machine = SSEConnectionStateMachine(configuration: request.configuration, lastEventID: request.lastEventID)
            self.remote = transport.remoteEvents?(request)
        }

        /// Connections opened so far (the first one included).
        public var connections: Int { remote?.connections ?? opened }

        /// The last event ID seen: store it to resume later.
        public var lastEventID: String? { remote.map { $0.lastEventID } ?? machine.lastEventID }

        public mutating func next() async throws -> ServerSentEvent? {
            if let remote { return try await remote.next() }
            while true {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    return pending[pendingIndex]
                }
                pending.removeAll(keepingCapacity: true)
                pendingIndex = 0
                let current = action ?? machine.start()
                switch current {
                case .connect(let headers):
                    action = try await connect(headers)
                case .read:
                    action = try await read()
                case .reconnect(let delay):
                    body = nil
                    Counter(label: "switchboard_sse_reconnects_total", dimensions: [("connector", request.connector)]).increment()
                    transport.logger.debug("SSE reconnect", metadata: ["connector": .string(request.connector),
                                                                       "url": .string(HTTPTransport.redacted(request.url)),
                                                                       "delay": .string(DurationFormat.format(delay))])
                    try await Task.sleep(for: delay)
                    action = machine.reconnectDue()
                case .reauthenticate:
                    if let token { request.authorization?.invalidate(token) }
                    token = nil
                    action = machine.reconnectDue()
                case .close(let reason):
                    body = nil
                    action = SSEConnectionStateMachine.Action.none
                    if let reason { throw EventStreamError(url: HTTPTransport.redacted(request.url), reason: reason) }
                    return nil
                case .none:
                    return nil
                }
            }
        }

        private mutating func connect(_ headers: [String: String]) async throws -> SSEConnectionStateMachine.Action {
            var outgoing = HTTPClientRequest(url: request.url)
            for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
            for (name, value) in headers { outgoing.headers.replaceOrAdd(name: name, value: value) }
            if let authorization = request.authorization {
                let token = try await authorization.token()
                self.token = token
                outgoing.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)")
            }
            opened += 1
            Counter(label: "switchboard_sse_connections_total", dimensions: [("connector", request.connector)]).increment()
            do {
                let client = transport.streamingClient(idleTimeout: request.configuration.idleTimeout)
                let response = try await client.execute(outgoing, deadline: .distantFuture)
                let next = machine.responseReceived(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
                                                    now: .now)
                if next == .read {
                    body = response.body.makeAsyncIterator()
                    parser = SSEParser(lastEventID: machine.lastEventID ?? "")
                }
                return next
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                return machine.connectionEnded(now: .now)
            }
        }

        private mutating func read() async throws -> SSEConnectionStateMachine.Action {
            guard var iterator = body else { return machine.connectionEnded(now: .now) }
            let chunk: ByteBuffer?
            do {
                // The streaming client's read timeout is this subscription's idle timeout: no byte
                // at all (not even a comment) for that long fails the read.
                chunk = try await iterator.next()
                body = iterator
            } catch {
                body = nil
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                if let error = error as? HTTPClientError, error == .readTimeout {
                    let next = machine.tick(now: .now)
                    return next == .none ? machine.connectionEnded(now: .now) : next
                }
                return machine.connectionEnded(now: .now)
            }
            switch chunk {
            case nil:
                body = nil
                return machine.connectionEnded(now: .now)
            case let buffer?:
                machine.bytesReceived(now: .now)
                var events = pending
                buffer.withUnsafeReadableBytes { bytes in parser.feed(bytes) { events.append($0) } }
                pending = events
                if let last = pending.last {
                    machine.eventReceived(id: last.id, retryMilliseconds: parser.reconnectionTime)
                } else if parser.reconnectionTime != lastRetry {
                    machine.eventReceived(id: nil, retryMilliseconds: parser.reconnectionTime)
                }
                lastRetry = parser.reconnectionTime
                return .read
            }
        }
    }
}

/// An event stream the server refused or ended for good.
public struct EventStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stream URL, without its query.
    public let url: String
    /// Why.
    public let reason: String

    public var description: String { "\(url): \(reason)" }
}

extension HTTPTransport {
    /// Subscribes to a `text/event-stream`. Nothing connects until the first `next()`.
    public func events(_ request: EventStream.Request) -> EventStream { EventStream(transport: self, request: request) }
}
