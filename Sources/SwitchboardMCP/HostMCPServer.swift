import Foundation
import MCP

/// An MCP server offering the host's tools (``HostTools``): `tools/list` lists those a running
/// connector provides, `tools/call` runs one through the host's API.
public enum HostMCPServer {
    /// The server's name in the MCP handshake.
    public static let name = "switchboard"

    /// A server over `tools`, not started yet (`start(transport:)`).
    public static func make(tools: HostTools, version: String) async -> Server {
        let server = Server(name: name, version: version, title: "Switchboard",
                            instructions: "Tickets, people, knowledge and live-agent handoffs of the organisation's systems, through the Switchboard host.",
                            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: try await tools.available())
        }
        await server.withMethodHandler(CallTool.self) { params in
            await tools.call(params.name, arguments: params.arguments ?? [:])
        }
        return server
    }
}
