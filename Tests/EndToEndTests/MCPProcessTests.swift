import ConnectorKit
import Foundation
import Logging
import MCP
import SwitchboardMCP
import Synchronization
import Testing

/// The host's features through MCP, driven by the SDK's own client: in memory against a server
/// over a running host (the shipped config on the sandbox), and over stdio against `switchboard mcp`.
@Suite("switchboard over MCP, with the SDK's client", .serialized)
struct MCPProcessTests {
    static let quiet = Logger(label: "mcp-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func json(_ content: [Tool.Content]) throws -> [String: Any] {
        guard case .text(let text, _, _)? = content.first else { throw HandoffProcessTests.SwitchboardProcessError("no text content") }
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.timeLimit(.minutes(3))) func toolsOverAHostAndOverStdio() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-mcp-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: ShippedConfigProcessTests.shipped.path, toPath: directory + "/connectors.yaml")
        let port = try HandoffProcessTests.freePort()
        let token = "mcp-test-token-" + UUID().uuidString
        let host = try SwitchboardProcess.Running(["run"], directory: directory,
                                                  environment: ["SWITCHBOARD_LISTEN": "127.0.0.1:\(port)", "SWITCHBOARD_API_TOKEN": token])
        defer { host.signal(SIGTERM) }
        try await host.waitForStderr("API listening")
        let base = "http://127.0.0.1:\(port)"
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }

        // In memory: the SDK's client, the host's MCP server.
        let server = await HostMCPServer.make(api: HostAPIClient(baseURL: base, token: Secret(token), http: http), version: "1.0.0")
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        let client = Client(name: "mcp-test", version: "1.0.0")
        _ = try await client.connect(transport: clientSide)
        let tools = try await client.listTools().tools.map(\.name)
        #expect(Set(tools) == ["search_knowledge", "find_user", "create_ticket", "get_ticket", "list_tickets", "comment_ticket", "start_handoff",
                               "send_handoff_message", "end_handoff", "read_events"], "\(tools)")

        // Knowledge and people, once the first syncs wrote them.
        var hits: [[String: Any]] = []
        for _ in 0..<300 where hits.isEmpty {
            let (content, isError) = try await client.callTool(name: "search_knowledge", arguments: ["query": "restart", "language": "en_US"])
            #expect(isError != true)
            hits = (try Self.json(content)["results"] as? [[String: Any]]) ?? []
            if hits.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!hits.isEmpty && hits[0]["snippet"] is String)
        let email = "ada.allen.112@acme.example"
        var users: [[String: Any]] = []
        for _ in 0..<300 where users.isEmpty {
            users = (try Self.json(try await client.callTool(name: "find_user", arguments: ["email": .string(email)]).content)["users"] as? [[String: Any]]) ?? []
            if users.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(users.first?["email"] as? String == email)

        // A ticket, idempotent on retry; an unknown one is the API's own error.
        let arguments: [String: Value] = ["requester_email": .string(email), "subject": "Laptop will not start", "idempotency_key": "mcp-key-1"]
        let first = try Self.json(try await client.callTool(name: "create_ticket", arguments: arguments).content)
        let again = try Self.json(try await client.callTool(name: "create_ticket", arguments: arguments).content)
        let ticketID = try #require(first["id"] as? String)
        #expect(again["id"] as? String == ticketID, "a retry with the same key is the same ticket")
        let (missing, missingIsError) = try await client.callTool(name: "get_ticket", arguments: ["ticket_id": "500000000000000AAA"])
        let direct = try await http.send(.init(url: base + "/v1/tickets/500000000000000AAA", headers: [("Authorization", "Bearer \(token)")]))
        guard case .text(let missingText, _, _)? = missing.first else { Issue.record("no text"); return }
        #expect(missingIsError == true && missingText == String(decoding: direct.body, as: UTF8.self), "the API's code and message: \(missingText)")
        let (badArguments, badIsError) = try await client.callTool(name: "find_user", arguments: [:])
        let badError = try Self.json(badArguments)["error"] as? [String: Any]
        #expect(badIsError == true && badError?["code"] as? String == "invalid_parameter")
        #expect(!"\(first)".contains(token), "no secret in tool output")

        // A handoff: started by a tool; the agent's replies read back with read_events (long polling)
        // and announced to a subscription of the handoff's events resource.
        let updates = Mutex<[String]>([])
        await client.onNotification(ResourceUpdatedNotification.self) { message in updates.withLock { $0.append(message.params.uri) } }
        #expect(try await client.listResourceTemplates().templates.map(\.uriTemplate) == ["switchboard://events/{subject}"])
        let started = try Self.json(try await client.callTool(name: "start_handoff", arguments: [
            "employee_id": "emp-mcp", "email": "grace@acme.example", "first_name": "Grace", "last_name": "Hopper", "topic": "Access",
            "summary": "Grace lost access to the finance share.", "connector": "acme-salesforce"]).content)
        let handoffID = try #require(started["id"] as? String, "\(started)")
        let uri = "switchboard://events/\(handoffID)"
        try await client.subscribeToResource(uri: uri)
        var cursor = 0
        var types: [String] = []
        var replies: [String] = []
        for _ in 0..<10 where replies.isEmpty {
            let page = try Self.json(try await client.callTool(name: "read_events", arguments: [
                "subject": .string(handoffID), "after": .int(cursor), "wait_seconds": 20]).content)
            for event in page["events"] as? [[String: Any]] ?? [] {
                #expect(event["subject"] as? String == handoffID)
                types.append(event["type"] as? String ?? "?")
                if event["type"] as? String == "handoff.agent_message", let text = (event["data"] as? [String: Any])?["text"] as? String { replies.append(text) }
            }
            cursor = page["next"] as? Int ?? cursor
        }
        #expect(types.first == "handoff.queued" && !replies.isEmpty, "\(types)")
        for _ in 0..<100 where !updates.withLock({ $0.contains(uri) }) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(updates.withLock { $0.contains(uri) }, "the subscription announced the handoff's new events")
        let resourceText = try #require(try await client.readResource(uri: uri).first?.text, "the resource's text")
        #expect(resourceText.contains("\"type\":\"handoff.agent_message\"") && resourceText.contains(replies[0]))
        let sent = try await client.callTool(name: "send_handoff_message", arguments: ["handoff_id": .string(handoffID), "text": "Yes, please restore it."])
        #expect(sent.isError != true)
        #expect(try await client.callTool(name: "end_handoff", arguments: ["handoff_id": .string(handoffID)]).isError != true)
        do {
            _ = try await client.readResource(uri: "switchboard://tickets")
            Issue.record("a URI outside the template is refused")
        } catch {}
        await client.disconnect()
        await server.stop()

        // Streamable HTTP at /mcp on the host's own listener, behind its token.
        func post(_ body: String, session: String?) async throws -> HTTPTransport.Response {
            var headers = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
                           ("Authorization", "Bearer \(token)"), ("MCP-Protocol-Version", "2025-06-18")]
            if let session { headers.append(("Mcp-Session-Id", session)) }
            return try await http.send(.init(method: "POST", url: base + "/mcp", headers: headers, body: Array(body.utf8)))
        }
        /// The JSON-RPC message of an answer (SSE `data:` or plain JSON).
        func message(_ response: HTTPTransport.Response) throws -> [String: Any] {
            let text = String(decoding: response.body, as: UTF8.self)
            let payload = text.split(separator: "\n").last { $0.hasPrefix("data:") && $0.count > 6 }.map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) } ?? text
            return try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any], "\(text)")
        }
        let unauthorized = try await http.send(.init(method: "POST", url: base + "/mcp", headers: [("Content-Type", "application/json")], body: Array("{}".utf8)))
        #expect(unauthorized.status == 401, "the API's token guards /mcp")
        let initialize = try await post(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#,
                                        session: nil)
        let session = try #require(initialize.header("Mcp-Session-Id"), "\(initialize.status) \(String(decoding: initialize.body, as: UTF8.self))")
        #expect(((try message(initialize)["result"] as? [String: Any])?["serverInfo"] as? [String: Any])?["name"] as? String == "switchboard")
        #expect(try await post(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, session: session).status == 202)
        let listedOverHTTP = try message(try await post(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, session: session))
        #expect(((listedOverHTTP["result"] as? [String: Any])?["tools"] as? [[String: Any]])?.count == 10, "\(listedOverHTTP)")
        let called = try message(try await post(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_ticket","arguments":{"ticket_id":"\#(ticketID)"}}}"#,
                                                session: session))
        let callResult = try #require(called["result"] as? [String: Any], "\(called)")
        #expect(callResult["isError"] as? Bool == false && (callResult["structuredContent"] as? [String: Any])?["id"] as? String == ticketID, "\(called)")
        // Resources over HTTP: the handoff's events read, and a subscription's notification on the session's SSE stream.
        let read = try message(try await post(#"{"jsonrpc":"2.0","id":5,"method":"resources/read","params":{"uri":"switchboard://events/\#(handoffID)"}}"#,
                                              session: session))
        let readText = (((read["result"] as? [String: Any])?["contents"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
        #expect(readText.contains("handoff.agent_message"), "\(read)")
        let notices = http.events(.init(url: base + "/mcp", headers: [("Authorization", "Bearer \(token)"), ("Mcp-Session-Id", session),
                                                                     ("MCP-Protocol-Version", "2025-06-18")]))
        let second = try await http.send(.init(method: "POST", url: base + "/v1/handoffs",
                                               headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                               body: Array(#"{"connector":"acme-salesforce","employeeId":"emp-mcp-2","topic":"Hardware","summary":"Screen flickers."}"#.utf8)))
        let secondID = try #require((try JSONSerialization.jsonObject(with: Data(second.body)) as? [String: Any])?["id"] as? String,
                                    "\(String(decoding: second.body, as: UTF8.self))")
        let notified = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                for try await event in notices where event.data.contains("notifications/resources/updated") { return event.data }
                return nil
            }
            try await Task.sleep(for: .milliseconds(300))  // the stream is open before the subscription
            let subscribed = try message(try await post(#"{"jsonrpc":"2.0","id":6,"method":"resources/subscribe","params":{"uri":"switchboard://events/\#(secondID)"}}"#,
                                                        session: session))
            #expect(subscribed["error"] == nil, "\(subscribed)")
            group.addTask { try await Task.sleep(for: .seconds(60)); return nil }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        #expect(notified?.contains("switchboard://events/\(secondID)") == true, "\(notified ?? "no notification")")
        let ended = try await http.send(.init(method: "DELETE", url: base + "/mcp", headers: [("Authorization", "Bearer \(token)"), ("Mcp-Session-Id", session),
                                                                                          ("MCP-Protocol-Version", "2025-06-18")]))
        #expect((200..<300).contains(ended.status))
        #expect(try await post(#"{"jsonrpc":"2.0","id":4,"method":"tools/list"}"#, session: session).status == 404, "an ended session is gone")

        // The SDK's client over Streamable HTTP (through StreamableHTTPClientTransport): tools, idempotency, the handoff's events.
        let httpClient = Client(name: "mcp-http-test", version: "1.0.0")
        _ = try await httpClient.connect(transport: StreamableHTTPClientTransport(endpoint: base + "/mcp", token: token, http: http))
        #expect(try await httpClient.listTools().tools.count == 10)
        let viaHTTP = try Self.json(try await httpClient.callTool(name: "get_ticket", arguments: ["ticket_id": .string(ticketID)]).content)
        #expect(viaHTTP["id"] as? String == ticketID)
        let retried = try Self.json(try await httpClient.callTool(name: "create_ticket", arguments: arguments).content)
        #expect(retried["id"] as? String == ticketID, "idempotent over HTTP too")
        let replayed = try Self.json(try await httpClient.callTool(name: "read_events", arguments: ["subject": .string(handoffID), "after": 0]).content)
        #expect((replayed["events"] as? [[String: Any]])?.contains { $0["type"] as? String == "handoff.agent_message" } == true)
        await httpClient.disconnect()

        // Over stdio: `switchboard mcp` as an assistant starts it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SwitchboardProcess.binary)
        process.arguments = ["mcp", "--url", base]
        process.environment = ["SWITCHBOARD_API_TOKEN": token, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        let toServer = Pipe(), fromServer = Pipe()
        process.standardInput = toServer
        process.standardOutput = fromServer
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let stdio = StdioTransport(input: .init(rawValue: fromServer.fileHandleForReading.fileDescriptor),
                                   output: .init(rawValue: toServer.fileHandleForWriting.fileDescriptor), logger: Self.quiet)
        let stdioClient = Client(name: "mcp-stdio-test", version: "1.0.0")
        _ = try await stdioClient.connect(transport: stdio)
        #expect(try await stdioClient.listTools().tools.count == 10)
        let listed = try Self.json(try await stdioClient.callTool(name: "list_tickets", arguments: ["requester_email": .string(email)]).content)
        #expect((listed["tickets"] as? [[String: Any]])?.contains { $0["id"] as? String == ticketID } == true, "\(listed)")
        await stdioClient.disconnect()
        try toServer.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    /// `--features` decides which tools are listed: a host running only knowledge offers only search.
    @Test(.timeLimit(.minutes(2))) func toolsFollowTheFeaturesThatRun() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-mcp-features-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: ShippedConfigProcessTests.shipped.path, toPath: directory + "/connectors.yaml")
        let port = try HandoffProcessTests.freePort()
        let host = try SwitchboardProcess.Running(["run", "--features", "knowledge"], directory: directory,
                                                  environment: ["SWITCHBOARD_LISTEN": "127.0.0.1:\(port)"])
        defer { host.signal(SIGTERM) }
        try await host.waitForStderr("API listening")
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }
        let server = await HostMCPServer.make(api: HostAPIClient(baseURL: "http://127.0.0.1:\(port)", token: nil, http: http), version: "1.0.0")
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        let client = Client(name: "mcp-features", version: "1.0.0")
        _ = try await client.connect(transport: clientSide)
        #expect(try await client.listTools().tools.map(\.name) == ["search_knowledge"])
        await client.disconnect()
        await server.stop()
    }
}
