import Foundation
import MCP

/// MCP's Streamable HTTP transport on the host's own listener (`/mcp`): one MCP server and one
/// stateful transport per session (`Mcp-Session-Id`, made by `initialize`), at most ``limit`` at once
/// (the oldest is closed for a new one), all closed when the host stops. The host's guards and
/// bearer token apply before a request gets here.
public actor MCPHTTPSessions {
    /// Sessions open at once.
    public static let limit = 256

    private let api: HostAPIClient
    private let version: String
    private var sessions: [String: (server: HostMCPServer, transport: StatefulHTTPServerTransport)] = [:]
    private var order: [String] = []

    /// Sessions whose tools and resources use `api`.
    public init(api: HostAPIClient, version: String) {
        self.api = api
        self.version = version
    }

    /// Answers one HTTP request of the Streamable HTTP transport.
    public func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        if let id = request.header("Mcp-Session-Id") {
            guard let session = sessions[id] else {
                return .error(statusCode: 404, .invalidRequest("Not Found: no MCP session \(id); initialize a new one"))
            }
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE" { await close(id) }
            return response
        }
        // No session yet: this must be `initialize` (the transport says so otherwise).
        let transport = StatefulHTTPServerTransport(validationPipeline: StandardValidationPipeline(validators: [
            AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(), ProtocolVersionValidator(), SessionValidator(),
        ]))
        let server = await HostMCPServer.make(api: api, version: version)
        do {
            try await server.start(transport: transport)
        } catch {
            return .error(statusCode: 500, .internalError("the MCP server did not start"))
        }
        let response = await transport.handleRequest(request)
        guard (200..<300).contains(response.statusCode), let id = response.headers.first(where: { $0.key.lowercased() == "mcp-session-id" })?.value else {
            await server.stop()
            return response
        }
        sessions[id] = (server, transport)
        order.append(id)
        if order.count > Self.limit { await close(order[0]) }
        return response
    }

    private func close(_ id: String) async {
        order.removeAll { $0 == id }
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    /// Closes every session.
    public func closeAll() async {
        for id in order { await close(id) }
    }

    /// How many sessions are open.
    public var count: Int { sessions.count }
}
