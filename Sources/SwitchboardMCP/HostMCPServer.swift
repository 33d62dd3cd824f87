import Foundation
import MCP

/// An MCP server offering the host's tools (``HostTools``) and the events of its handoffs and
/// tickets as resources (``HostEventResources``): `tools/list` lists the tools a running connector
/// provides, `tools/call` runs one through the host's API, `resources/read` reads a handoff's or
/// ticket's events and `resources/subscribe` notifies when one arrives.
public struct HostMCPServer: Sendable {
    /// The server's name in the MCP handshake.
    public static let name = "switchboard"

    /// The SDK's server (start it with `start(transport:)`).
    public let server: Server
    let subscriptions: EventSubscriptions

    /// A server over `api`, not started yet.
    public static func make(api: HostAPIClient, version: String) async -> HostMCPServer {
        let tools = HostTools(api: api)
        let resources = HostEventResources(api: api)
        let subscriptions = EventSubscriptions(resources: resources)
        let server = Server(name: name, version: version, title: "Switchboard",
                            instructions: "Tickets, people, knowledge and live-agent handoffs of the organisation's systems, through the Switchboard host. "
                                + "A handoff's agent replies arrive as events: call read_events with its id, or subscribe to switchboard://events/{handoff id}.",
                            capabilities: .init(resources: .init(subscribe: true, listChanged: false), tools: .init(listChanged: false)))
        await subscriptions.attach(server)
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: try await tools.available())
        }
        await server.withMethodHandler(CallTool.self) { params in
            await tools.call(params.name, arguments: params.arguments ?? [:])
        }
        await server.withMethodHandler(ListResources.self) { _ in
            ListResources.Result(resources: [])
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: [HostEventResources.template])
        }
        await server.withMethodHandler(ReadResource.self) { params in
            try await resources.read(params.uri)
        }
        await server.withMethodHandler(ResourceSubscribe.self) { params in
            try await subscriptions.subscribe(params.uri)
            return Empty()
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { params in
            await subscriptions.unsubscribe(params.uri)
            return Empty()
        }
        return HostMCPServer(server: server, subscriptions: subscriptions)
    }

    /// Starts serving over `transport`.
    public func start(transport: any Transport) async throws {
        try await server.start(transport: transport)
    }

    /// Stops the subscriptions' watchers and the server.
    public func stop() async {
        await subscriptions.stop()
        await server.stop()
    }

    /// Returns once the client has gone (stdio: its end of the pipe closed).
    public func waitUntilCompleted() async {
        await server.waitUntilCompleted()
        await subscriptions.stop()
    }
}
