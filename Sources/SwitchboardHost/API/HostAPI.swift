import ConnectorKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization
import SwitchboardMCP

/// The host's HTTP API for the assistant (DESIGN.md §5), described in `openapi.yaml`:
/// `/healthz`, `/readyz`, `/metrics`, `/v1/connectors`, `/v1/users`, `/v1/knowledge/search`,
/// `/v1/events` (SSE over the durable event log). Bearer-token authenticated (see
/// ``APIAuthMiddleware``); `/healthz` and `/readyz` are open so probes need no secret.
public final class HostAPI: Service, Sendable, CustomStringConvertible {
    let address: ListenAddress
    let token: Secret?
    let board: ConnectorStatusBoard
    let store: any HostStore
    /// This host among those sharing the store (readiness shows the leases it holds).
    let hostID: String
    let metrics: PrometheusCollectorRegistry?
    let logger: Logger
    /// Keep-alive comment interval on event streams.
    let keepAlive: Duration
    /// Connections, streams, timeouts, body size.
    let limits: APILimits
    /// The connections open now.
    let connections: ConnectionBudget
    /// The event streams open now.
    let streams: ConnectionBudget
    private let listening = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    /// Creates the API over the runtime's board and the store.
    /// - Throws: ``ConnectorError/Code/misconfigured`` for a listener beyond loopback without a token
    ///   (or with a weak one): the API never runs open, whoever builds it.
    public init(address: ListenAddress, token: Secret?, board: ConnectorStatusBoard, store: any HostStore, hostID: String = "this-host",
                metrics: PrometheusCollectorRegistry?, logger: Logger, keepAlive: Duration = .seconds(15), limits: APILimits = APILimits()) throws {
        self.hostID = hostID
        if let token {
            if let problem = HostConfiguration.weakTokenProblem(token, listen: address) { throw ConnectorError.misconfigured(problem, field: "host.api_token") }
        } else if !address.isLoopback {
            throw ConnectorError.misconfigured("listening on \(address) beyond loopback needs host.api_token; the API does not run open",
                                               field: "host.api_token")
        }
        self.limits = limits
        connections = ConnectionBudget(limit: limits.maxConnections)
        streams = ConnectionBudget(limit: limits.maxEventStreams)
        self.address = address
        self.token = token
        self.board = board
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.keepAlive = keepAlive
    }

    public var description: String { "HostAPI(\(address))" }

    /// Every route the API serves, as openapi.yaml names them (a test keeps the two equal).
    public static let routes = [
        "GET /healthz", "GET /readyz", "GET /metrics", "GET /v1/connectors", "GET /v1/users", "GET /v1/knowledge/search", "GET /v1/events",
        "GET /v1/events/poll",
        "POST /v1/tickets", "GET /v1/tickets", "GET /v1/tickets/{id}", "PATCH /v1/tickets/{id}", "POST /v1/tickets/{id}/comments",
        "POST /v1/handoffs", "GET /v1/handoffs/{id}", "DELETE /v1/handoffs/{id}", "POST /v1/handoffs/{id}/messages",
        "POST /v1/handoffs/{id}/typing", "GET /v1/handoffs/{id}/events", "POST /v1/employees/{id}/logout", "GET /.well-known/jwks.json",
        "POST /mcp", "GET /mcp", "DELETE /mcp",
    ]

    /// How this process reaches its own listener (loopback for a wildcard address), once listening.
    func selfAddress() async -> String {
        let host = ["0.0.0.0", "::", ""].contains(address.host) ? "127.0.0.1" : (address.host.contains(":") ? "[\(address.host)]" : address.host)
        return "\(host):\(await port())"
    }

    /// The port, once listening (useful with port 0).
    public func port() async -> Int {
        await withCheckedContinuation { continuation in
            let port: Int? = listening.withLock { state in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }

    public func run() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: APIErrorMiddleware(routes: Self.routes))
        router.add(middleware: RequestGuardMiddleware(tokenless: token == nil))
        router.add(middleware: APIAuthMiddleware(token: token, open: ["/healthz", "/readyz", "/.well-known/jwks.json"]))
        router.add(middleware: JSONBodyMiddleware())
        addHealthRoutes(router)
        addDataRoutes(router)
        addEventRoutes(router)
        addEventPollRoute(router)
        addTicketRoutes(router)
        addHandoffRoutes(router)
        // MCP's Streamable HTTP on the same listener, behind the same guards and token; its tools call
        // this API over loopback.
        let mcpTransport = HTTPTransport(logger: logger)
        let mcp = MCPHTTPSessions(api: HostAPIClient(resolving: { [self] in "http://\(await selfAddress())" }, token: token, http: mcpTransport),
                                  version: "1.0.0")
        addMCPRoutes(router, sessions: mcp)
        let app = Application(
            router: router, server: GuardedHTTP1Channel.builder(limits: limits, budget: connections),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "switchboard"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? address.port
                let waiters = listening.withLock { state in
                    state.port = port
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume(returning: port) }
                logger.notice("API listening", metadata: ["address": .string("\(address.host):\(port)")])
            },
            logger: logger)
        do {
            try await app.run()
        } catch {
            await mcp.closeAll()
            try? await mcpTransport.shutdown()
            throw error
        }
        await mcp.closeAll()
        try? await mcpTransport.shutdown()
    }

    // MARK: Health, readiness, metrics, connectors

    struct ConnectorView: Codable, Sendable {
        var name: String
        var module: String
        var features: [String]
        var state: String
        var restarts: Int
        var lastError: String?
        var health: HealthReport?
    }

    func connectorViews() async -> [ConnectorView] {
        var views: [ConnectorView] = []
        for status in board.snapshot {
            let health = await board.connector(status.name)?.check()
            views.append(ConnectorView(name: status.name, module: status.module, features: status.features.map(\.rawValue),
                                       state: status.state.name, restarts: status.restarts, lastError: status.lastError, health: health))
        }
        return views
    }

    private func addHealthRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in try jsonResponse(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            let views = await self.connectorViews()
            let store = await self.store.status(host: self.hostID)
            let failing = views.filter { $0.state != "running" || $0.health?.status == .unhealthy }.map(\.name) + (store.reachable ? [] : ["store"])
            struct Readiness: Encodable { var ready: Bool; var failing: [String]; var connectors: [ConnectorView]; var store: StoreStatus }
            return try jsonResponse(Readiness(ready: failing.isEmpty, failing: failing, connectors: views, store: store),
                                    status: failing.isEmpty ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: self.metrics?.emitToBuffer() ?? [])))
        }
        router.get("/v1/connectors") { _, _ in
            struct Connectors: Encodable { var connectors: [ConnectorView]; var configuration: ConfigurationGeneration }
            return try jsonResponse(Connectors(connectors: await self.connectorViews(), configuration: self.board.configuration))
        }
    }

    // MARK: Users and knowledge

    /// An e-mail parameter has the shape `local@domain` (the query needs no more to be answered).
    static func checkEmail(_ text: String, parameter: String) throws {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !text.contains(where: \.isWhitespace) else {
            throw APIError.badRequest("\(parameter) must be an e-mail address like ada@acme.example (got '\(text)')", code: .invalidParameter)
        }
    }

    private func addDataRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/v1/users") { request, _ in
            guard let email = request.uri.queryParameters.get("email"), !email.isEmpty else {
                throw APIError.badRequest("the email query parameter is required: /v1/users?email=ada@acme.example", code: .missingParameter)
            }
            try Self.checkEmail(String(email), parameter: "email")
            struct UserView: Encodable { var connector: String; var id: String; var email: String?; var firstName: String?; var lastName: String?
                                         var fields: [String: String]; var modifiedAt: Date }
            let users = try await self.store.users(email: email).map {
                UserView(connector: $0.connector, id: $0.user.id, email: $0.user.email, firstName: $0.user.firstName, lastName: $0.user.lastName,
                         fields: $0.user.fields, modifiedAt: $0.user.modifiedAt)
            }
            guard !users.isEmpty else { throw APIError.notFound("no user with email \(email)") }
            return try jsonResponse(["users": users])
        }
        router.get("/v1/knowledge/search") { request, _ in
            let parameters = request.uri.queryParameters
            guard let query = parameters.get("q"), !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw APIError.badRequest("the q query parameter is required: /v1/knowledge/search?q=vpn&lang=en_US", code: .missingParameter)
            }
            let limit = try Self.wholeNumber(parameters.get("limit").map { String($0) }, name: "limit", default: 10, range: 1...100)
            let hits = try await self.store.searchArticles(query, language: parameters.get("lang"), limit: limit)
            return try jsonResponse(["results": hits])
        }
    }
}
