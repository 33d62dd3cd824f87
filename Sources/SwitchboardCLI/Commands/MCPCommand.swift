import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import MCP
import SwitchboardMCP

/// `switchboard mcp`: the host's features as an MCP server on stdin/stdout, for assistants that start
/// their tools as local processes. Each tool calls the running host's API.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the host's features to an assistant over MCP (stdio), through a running host's API.",
        discussion: """
            An assistant that speaks the Model Context Protocol starts this process and calls its tools: search_knowledge, find_user, create_ticket, get_ticket, list_tickets, comment_ticket, start_handoff, send_handoff_message, end_handoff, read_events — each listed only when a running connector provides its feature. Every tool calls the host's HTTP API, so results and errors (code, message) are the API's.

            A handoff's agent replies (and a ticket's changes) are events: read_events with its id and wait_seconds, or the resource switchboard://events/{id} — read it, or subscribe for notifications/resources/updated.

            Example client configuration:
              {"mcpServers": {"switchboard": {"command": "switchboard", "args": ["mcp", "--url", "http://127.0.0.1:8710"],
                                               "env": {"SWITCHBOARD_API_TOKEN": "…"}}}}
            """)

    @Option(help: "The running host's API.")
    var url = "http://127.0.0.1:8710"

    @Option(help: ArgumentHelp("The environment variable holding the API token (when the host has one).", valueName: "name"))
    var tokenEnv = "SWITCHBOARD_API_TOKEN"

    func run() async throws {
        // stdout carries the protocol: logs go to stderr.
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let token = ProcessInfo.processInfo.environment[tokenEnv].flatMap { $0.isEmpty ? nil : Secret($0) }
        let http = HTTPTransport(logger: Logger(label: "switchboard.mcp"))
        let server = await HostMCPServer.make(api: HostAPIClient(baseURL: url, token: token, http: http), version: "1.0.0")
        try await server.start(transport: StdioTransport(logger: Logger(label: "switchboard.mcp")))
        await server.waitUntilCompleted()
        try? await http.shutdown()
    }
}
