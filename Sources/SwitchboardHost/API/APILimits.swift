#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of the machine the assistant's API may take (`host.max_connections`,
/// `host.max_event_streams`, `host.header_timeout`, `host.idle_timeout`), so that connections
/// nobody finishes — half-open sockets, slow headers, forgotten keep-alives, thousands of event
/// streams — cannot starve the store, the connectors' own connections or the health probes.
public struct APILimits: Sendable, Hashable {
    /// Connections open at once, in all; one more is answered `503` and closed.
    public var maxConnections: Int
    /// Event streams (`/v1/events`, `/v1/handoffs/{id}/events`) open at once; one more is
    /// answered `503 too_many_streams`. Lower than ``maxConnections``, so probes and API calls
    /// always find a connection.
    public var maxEventStreams: Int
    /// Time a new connection has to send its first request's headers.
    public var headerTimeout: Duration
    /// Time a keep-alive connection may wait between requests (and a request body between reads).
    public var idleTimeout: Duration
    /// Largest request body read; a larger one is answered `413`.
    public var maxBodyBytes: Int

    /// Descriptors kept out of the API's reach: the store's files, logs, the connectors' outgoing
    /// connections.
    public static let reservedDescriptors = 256
    /// Connections kept for requests other than event streams.
    public static let nonStreamingConnections = 32

    /// The defaults: 4,096 connections, 4,064 of them event streams, 10 s for headers, 60 s idle, 1 MiB bodies.
    public init(maxConnections: Int = 4096, maxEventStreams: Int? = nil, headerTimeout: Duration = .seconds(10),
                idleTimeout: Duration = .seconds(60), maxBodyBytes: Int = 1 << 20) {
        self.maxConnections = max(1, maxConnections)
        self.maxEventStreams = max(1, maxEventStreams ?? max(1, maxConnections - Self.nonStreamingConnections))
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxBodyBytes = maxBodyBytes
    }

    /// The limits fitted to `descriptors` (the process's open-file limit): connections take at most
    /// half of what is left after ``reservedDescriptors`` (the rest is for the connectors' outgoing
    /// streams), and event streams leave ``nonStreamingConnections`` free.
    public func fitted(toDescriptorLimit descriptors: Int) -> APILimits {
        var fitted = self
        let room = max(16, (descriptors - Self.reservedDescriptors) / 2)
        fitted.maxConnections = min(maxConnections, room)
        fitted.maxEventStreams = min(maxEventStreams, max(1, fitted.maxConnections - Self.nonStreamingConnections))
        return fitted
    }

    /// The process's open-file soft limit.
    public static var descriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: min(limit.rlim_cur, rlim_t(Int.max / 2)))
    }
}
