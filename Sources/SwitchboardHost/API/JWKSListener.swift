import ConnectorKit
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A listener that serves only `/.well-known/jwks.json` — the public keys the connectors sign with —
/// on `host.jwks_listen`, so an Endpoint URL keyset can fetch them through a TLS reverse proxy
/// without the assistant's API being reachable from outside. Every other path is 404; no token is
/// asked (the keys are public); connections are bounded like the API's.
public final class JWKSListener: Service, Sendable, CustomStringConvertible {
    let address: ListenAddress
    let board: ConnectorStatusBoard
    let logger: Logger
    let limits: APILimits
    let connections: ConnectionBudget

    /// Creates the listener over the runtime's board.
    public init(address: ListenAddress, board: ConnectorStatusBoard, logger: Logger, limits: APILimits = APILimits(maxConnections: 256)) {
        self.address = address
        self.board = board
        self.logger = logger
        self.limits = limits
        connections = ConnectionBudget(limit: limits.maxConnections)
    }

    public var description: String { "JWKSListener(\(address))" }

    /// The JWKS of every running connector's published keys (a connector that cannot say is logged
    /// and left out; the others are still served).
    static func response(board: ConnectorStatusBoard, logger: Logger) async -> Response {
        var keys: [JSONValue] = []
        for status in board.snapshot {
            guard let connector = board.connector(status.name) else { continue }
            do {
                keys += try await connector.publishedKeys().map(\.json)
            } catch {
                logger.warning("cannot publish a connector's keys", metadata: ["connector": .string(status.name), "error": "\(error)"])
            }
        }
        let body = JSONValue.object([JSONMember("keys", .array(keys))]).description
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    public func run() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: APIErrorMiddleware(routes: ["GET /.well-known/jwks.json"]))
        let board = self.board, logger = self.logger
        router.get("/.well-known/jwks.json") { _, _ in await Self.response(board: board, logger: logger) }
        let app = Application(
            router: router, server: GuardedHTTP1Channel.builder(limits: limits, budget: connections),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "switchboard"),
            onServerRunning: { [address, logger] channel in
                logger.notice("JWKS listening", metadata: ["address": .string("\(address.host):\(channel.localAddress?.port ?? address.port)"),
                                                           "path": "/.well-known/jwks.json"])
            },
            logger: logger)
        try await app.run()
    }
}
