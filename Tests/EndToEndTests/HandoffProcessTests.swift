import AsyncHTTPClient
import ConnectorKit
import Foundation
import Logging
import SwitchboardHost
import Testing

/// Live-agent handoffs through the built binary: the shipped connectors.yaml end to end (the
/// sandbox reads the host's own `/.well-known/jwks.json`), and a host SIGKILLed while the agent
/// writes — every agent message delivered exactly once after the restart (asserted on entry ids).
@Suite("switchboard handoffs, as processes", .serialized)
struct HandoffProcessTests {
    static let quiet = Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A free TCP port on loopback (bound, read, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SwitchboardProcessError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct SwitchboardProcessError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func json(_ response: HTTPTransport.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    static func post(_ http: HTTPTransport, _ url: String, _ body: String, headers: [(String, String)] = []) async throws -> HTTPTransport.Response {
        try await http.send(.init(method: "POST", url: url, headers: headers + [("Content-Type", "application/json")], body: Array(body.utf8)))
    }

    /// The sandbox's view of a conversation (control API).
    static func conversation(_ http: HTTPTransport, sandbox: String, id: String) async throws -> [String: Any] {
        try json(try await http.send(.init(url: "\(sandbox)/__sandbox/messaging/conversations/\(id)")))
    }

    @Test(.timeLimit(.minutes(3))) func shippedConfigHandoffFromQueueToEnd() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-handoff-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The shipped file, with a JWKS-only listener (what a TLS reverse proxy for Salesforce would reach).
        let jwksPort = try Self.freePort()
        let shipped = try String(contentsOf: ShippedConfigProcessTests.shipped, encoding: .utf8)
        try shipped.replacingOccurrences(of: "  shutdown_timeout: 10s\n", with: "  shutdown_timeout: 10s\n  jwks_listen: 127.0.0.1:\(jwksPort)\n")
            .write(toFile: directory + "/connectors.yaml", atomically: true, encoding: .utf8)
        let port = try Self.freePort()
        let host = try SwitchboardProcess.Running(["run", "--features", "live-agent"], directory: directory,
                                                  environment: ["SWITCHBOARD_LISTEN": "127.0.0.1:\(port)"])
        try await host.waitForStderr("API listening")
        let sandboxLine = try #require(host.stderrText.split(separator: "\n").first { $0.contains("sandbox org started") })
        let sandbox = try #require(sandboxLine.split(separator: " ").first { $0.hasPrefix("url=") }.map { String($0.dropFirst(4)) })
        let base = "http://127.0.0.1:\(port)"
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }

        // The JWKS is open (no token) and is what the sandbox verifies against.
        let jwks = try Self.json(try await http.send(.init(url: base + "/.well-known/jwks.json")))
        let key = try #require((jwks["keys"] as? [[String: Any]])?.first)
        #expect(key["kid"] as? String == "switchboard-1" && key["alg"] as? String == "RS256" && key["use"] as? String == "sig")
        #expect((key["x5c"] as? [String])?.count == 1 && key["n"] is String && key["e"] as? String == "AQAB")

        // The JWKS listener serves the same keys and nothing else.
        try await host.waitForStderr("JWKS listening")
        let jwksOnly = "http://127.0.0.1:\(jwksPort)"
        let separate = try Self.json(try await http.send(.init(url: jwksOnly + "/.well-known/jwks.json")))
        #expect((separate["keys"] as? [[String: Any]])?.first?["kid"] as? String == "switchboard-1")
        for path in ["/v1/connectors", "/healthz", "/readyz", "/metrics", "/v1/events"] {
            #expect(try await http.send(.init(url: jwksOnly + path)).status == 404, "\(path) is not served on the JWKS listener")
        }

        // keys check reads the live endpoint as Salesforce would and compares it with the connectors: all
        // good but the address (loopback is not public HTTPS).
        let check = try await SwitchboardProcess.run(["keys", "check", "--url", base + "/.well-known/jwks.json", "--config", "connectors.yaml",
                                                      "--private-key", "file:.switchboard/sandbox-miaw-key.pem"], in: directory)
        #expect(check.status == 1 && check.stdout.contains("✗ the endpoint is public HTTPS"), "\(check.output)")
        #expect(check.stdout.components(separatedBy: "\n  ✗").count == 2, "only the address fails: \(check.output)")
        #expect(check.stdout.contains("✓ acme-salesforce live-agent: the connector's key_id is published (switchboard-1)")
                && check.stdout.contains("✓ acme-salesforce live-agent: the connector's signing key matches")
                && check.stdout.contains("✓ the private key matches (one of the keys)"), "\(check.output)")

        var iterator = http.events(.init(url: base + "/v1/events?after=0")).makeAsyncIterator()
        let refused = try await Self.post(http, base + "/v1/handoffs", #"{"connector":"acme-salesforce","employeeId":"emp-9","topic":"Plumbing"}"#)
        #expect(refused.status == 400 && String(decoding: refused.body, as: UTF8.self).contains("Hardware, Software, Access"))
        let created = try await Self.post(http, base + "/v1/handoffs", """
            {"connector":"acme-salesforce","employeeId":"emp-9","email":"grace@acme.example","firstName":"Grace","lastName":"Hopper","topic":"Access",
             "summary":"Grace lost access to the finance share.","attributes":{"Case_Number":"00004711"}}
            """)
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let handoff = try Self.json(created)
        let id = try #require(handoff["id"] as? String)
        let conversationId = try #require(handoff["conversationId"] as? String)

        var types: [String] = []
        var messageIds: [String] = []
        while messageIds.count < 3, let event = try await iterator.next() {
            guard event.data.contains(id), let payload = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
                  let inner = payload["data"] as? [String: Any] else { continue }
            types.append(event.type)
            if event.type == "handoff.agent_message", let entry = inner["entryId"] as? String { messageIds.append(entry) }
        }
        #expect(types.first == "handoff.queued" && types.firstIndex(of: "handoff.agent_joined")! < types.firstIndex(of: "handoff.agent_message")!)
        let view = try await Self.conversation(http, sandbox: sandbox, id: conversationId)
        #expect(view["agentMessageIds"] as? [String] == messageIds, "three replies, in order")
        #expect((view["routingAttributes"] as? [String: String])?["Issue_Topic__c"] == "Access")

        let reply = try await Self.post(http, base + "/v1/handoffs/\(id)/messages", #"{"text":"Yes, please restore it."}"#)
        #expect(reply.status == 202)
        let texts = (try await Self.conversation(http, sandbox: sandbox, id: conversationId)["endUserMessages"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        #expect(texts == ["Grace lost access to the finance share.", "Yes, please restore it."])
        #expect(try await Self.post(http, base + "/v1/handoffs/\(id)/typing", #"{"typing":true}"#).status == 204)

        while !types.contains("handoff.ended_by_agent"), let event = try await iterator.next() {
            if event.data.contains(id) { types.append(event.type) }
        }
        let status = try Self.json(try await http.send(.init(url: base + "/v1/handoffs/\(id)")))
        #expect(status["status"] as? String == "ended" && status["endReason"] as? String == "ended by the agent")
        // The handoff's own stream replays its events and ends (the handoff is over).
        let own = try await http.send(.init(url: base + "/v1/handoffs/\(id)/events"))
        let ownText = String(decoding: own.body, as: UTF8.self)
        #expect(ownText.components(separatedBy: "event: handoff.agent_message").count - 1 == 3 && ownText.contains("event: handoff.ended_by_agent"))
        let closed = try await http.send(.init(method: "DELETE", url: base + "/v1/handoffs/\(id)"))
        let closedView = try Self.json(closed)
        #expect(closed.status == 200 && closedView["endReason"] as? String == "closed")
        #expect(try await http.send(.init(method: "POST", url: base + "/v1/employees/emp-9/logout")).status == 204)

        // Live Assist on the shipped config's Dynamics connector: a token for a known contact, 404 otherwise.
        let ambiguous = try await Self.post(http, base + "/v1/handoffs", #"{"employeeId":"emp-9","email":"ada.allen.112@acme.example"}"#)
        #expect(ambiguous.status == 400 && String(decoding: ambiguous.body, as: UTF8.self).contains("ambiguous_connector"))
        let assist = try await Self.post(http, base + "/v1/handoffs", #"{"connector":"acme-dynamics","employeeId":"emp-9","email":"ada.allen.112@acme.example"}"#)
        let assistView = try Self.json(assist)
        #expect(assist.status == 201 && (assistView["clientToken"] as? String)?.split(separator: ".").count == 3 && assistView["clientTokenExpiresAt"] is String)
        // The chat-token handoff is stored like any other: readable and endable, without events or messages.
        let assistID = try #require(assistView["id"] as? String)
        #expect(assistView["events"] == nil && assistView["connector"] as? String == "acme-dynamics")
        let fetched = try await http.send(.init(url: base + "/v1/handoffs/\(assistID)"))
        let fetchedView = try Self.json(fetched)
        #expect(fetched.status == 200 && fetchedView["status"] as? String == "pending" && fetchedView["clientToken"] == nil)
        let message = try await Self.post(http, base + "/v1/handoffs/\(assistID)/messages", #"{"text":"hello"}"#)
        #expect(message.status == 409 && String(decoding: message.body, as: UTF8.self).contains("chat_in_client"))
        let endedAssist = try await http.send(.init(method: "DELETE", url: base + "/v1/handoffs/\(assistID)"))
        let endedView = try Self.json(endedAssist)
        #expect(endedAssist.status == 200 && endedView["status"] as? String == "ended")
        let unknown = try await Self.post(http, base + "/v1/handoffs", #"{"connector":"acme-dynamics","employeeId":"emp-9","email":"nobody@acme.example"}"#)
        #expect(unknown.status == 404 && !String(decoding: unknown.body, as: UTF8.self).contains("clientToken"))

        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)
    }

    @Test(.timeLimit(.minutes(3))) func hostKilledDuringAgentRepliesDeliversEachOnce() async throws {
        let rig = try await ManualAgentRig.start(name: "handoff-kill", keyID: "e2e-1", issuer: "https://e2e.example")
        defer { rig.finish() }
        let (directory, port, base, sandbox) = (rig.directory, rig.port, rig.base, rig.sandbox)
        try """
            version: 1
            host: { listen: "127.0.0.1:\(port)", store: "sqlite:state.db", shutdown_timeout: 5s }
            connectors:
              acme:
                module: salesforce
                features: [live-agent]
                org: { login_url: "\(sandbox)" }
                auth: { consumer_key: unused-here, username: integration@sandbox.switchboard.example, private_key: file:key.pem }
            \(rig.liveAgentSection)
            """.write(toFile: directory + "/connectors.yaml", atomically: false, encoding: .utf8)
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }
        func agent(_ conversation: String, _ body: String) async throws {
            #expect((200..<300).contains(try await rig.agent(http, conversation, body)))
        }

        var host = try SwitchboardProcess.Running(["run"], directory: directory, environment: [:])
        try await host.waitForStderr("API listening")
        let created = try Self.json(try await Self.post(http, base + "/v1/handoffs", #"{"employeeId":"emp-1","topic":"Access"}"#))
        let id = try #require(created["id"] as? String)
        let conversation = try #require(created["conversationId"] as? String)
        var iterator = http.events(.init(url: base + "/v1/events?after=0")).makeAsyncIterator()
        try await agent(conversation, #"{"action":"route"}"#)
        try await agent(conversation, #"{"action":"join"}"#)
        try await agent(conversation, #"{"action":"message","text":"reply 1"}"#)
        while let event = try await iterator.next(), !(event.type == "handoff.agent_message" && event.data.contains(id)) {}

        // The agent is typing more replies when the host dies without warning.
        try await agent(conversation, #"{"action":"typing"}"#)
        try await agent(conversation, #"{"action":"message","text":"reply 2"}"#)
        host.signal(SIGKILL)
        _ = try await host.wait()
        try await agent(conversation, #"{"action":"message","text":"reply 3 (host down)"}"#)
        try await agent(conversation, #"{"action":"message","text":"reply 4 (host down)"}"#)

        host = try SwitchboardProcess.Running(["run"], directory: directory, environment: [:])
        try await host.waitForStderr("API listening")
        var delivered: [String] = []
        var restarted = http.events(.init(url: base + "/v1/events?after=0")).makeAsyncIterator()
        while delivered.count < 4, let event = try await restarted.next() {
            if event.type == "handoff.agent_message", event.data.contains(id),
               let payload = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
               let entry = (payload["data"] as? [String: Any])?["entryId"] as? String { delivered.append(entry) }
        }
        try await agent(conversation, #"{"action":"message","text":"reply 5 (after restart)"}"#)
        while delivered.count < 5, let event = try await restarted.next() {
            if event.type == "handoff.agent_message", event.data.contains(id),
               let payload = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
               let entry = (payload["data"] as? [String: Any])?["entryId"] as? String { delivered.append(entry) }
        }
        let view = try await Self.conversation(http, sandbox: sandbox, id: conversation)
        #expect(view["agentMessageIds"] as? [String] == delivered, "every agent message once, in order, across the SIGKILL")
        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)
    }
}
