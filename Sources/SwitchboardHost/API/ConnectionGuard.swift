import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Places counted against a limit: the API's connections (``APILimits/maxConnections``) or its
/// event streams (``APILimits/maxEventStreams``).
final class ConnectionBudget: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a place; false when none is left.
    func take() -> Bool {
        let count = open.add(1, ordering: .relaxed).newValue
        guard count <= limit else {
            open.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives a place back.
    func giveBack() { open.subtract(1, ordering: .relaxed) }
}

/// The first handler of every API connection, on raw bytes: past the connection limit it answers
/// `503` and closes at once (the descriptor is freed, the client is told, nothing waits in the
/// backlog); otherwise it gives the connection ``APILimits/headerTimeout`` to send its first
/// request's headers (the blank line that ends them), then answers `408` and closes. Later requests
/// on a keep-alive connection are timed by Hummingbird's idle timeout.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let budget: ConnectionBudget
    private let headerTimeout: Duration
    private var activated = false
    private var admitted = false
    private var headersComplete = false
    /// How many bytes of `\r\n\r\n` the stream ended with so far.
    private var matched = 0
    private var timer: Scheduled<Void>?

    init(budget: ConnectionBudget, headerTimeout: Duration) {
        self.budget = budget
        self.headerTimeout = headerTimeout
    }

    static let busy = answer("503 Service Unavailable", APIError(status: .serviceUnavailable, code: .tooManyConnections,
                                                                 message: "the host has no connection left; retry in a moment"), retryAfter: 1)
    static let timedOut = answer("408 Request Timeout", APIError(status: .requestTimeout, code: .requestTimeout,
                                                                 message: "the request's headers did not arrive in time"))

    /// A whole HTTP/1.1 answer that closes the connection, with the API's error body.
    static func answer(_ statusLine: String, _ error: APIError, retryAfter: Int? = nil) -> [UInt8] {
        let body = Array(error.body.utf8)
        let head = "HTTP/1.1 \(statusLine)\r\nContent-Type: application/json\r\n" + (retryAfter.map { "Retry-After: \($0)\r\n" } ?? "")
            + "Connection: close\r\nContent-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard !activated else { return }
        activated = true
        guard budget.take() else {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: Self.busy))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        admitted = true
        let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
        timer = loop.scheduleTask(in: .init(headerTimeout)) { [self] in
            guard !headersComplete, context.channel.isActive else { return }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: Self.timedOut))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted else { return }  // refused: nothing is read
        if !headersComplete {
            let buffer = unwrapInboundIn(data)
            buffer.withUnsafeReadableBytes { bytes in
                for byte in bytes where !headersComplete {
                    let expected: UInt8 = matched % 2 == 0 ? 13 : 10
                    if byte == expected { matched += 1 } else { matched = byte == 13 ? 1 : 0 }
                    if matched == 4 { headersComplete = true }
                }
            }
            if headersComplete {
                timer?.cancel()
                timer = nil
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    private func release() {
        timer?.cancel()
        timer = nil
        if admitted {
            admitted = false
            budget.giveBack()
        }
    }
}

/// Hummingbird's HTTP/1 child channel with a ``ConnectionGuard`` in front.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel
    let budget: ConnectionBudget
    let headerTimeout: Duration

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(budget: budget, headerTimeout: headerTimeout))
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async { await inner.handle(value: value, logger: logger) }

    /// The server builder for `Application(server:)`.
    static func builder(limits: APILimits, budget: ConnectionBudget) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: .init(limits.idleTimeout))),
                                budget: budget, headerTimeout: limits.headerTimeout)
        }
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}
