import ConnectorKit
import Foundation
import Logging
import SwitchboardHost
import Testing

/// The built-in Salesforce module served out of process (`switchboard modules serve salesforce`) by an
/// unmodified host: the same module code, across the protocol — its JWTs signed by the host, its
/// REST calls and its Enhanced Messaging event stream (SSE) read through the host's transport, its
/// handoffs the host's records. The module process is SIGKILLed while the agent writes; restarted by
/// the supervisor, it resumes the stream from the stored position: every agent message reaches the
/// assistant exactly once (asserted on entry ids).
@Suite("switchboard with a built-in module served out of process", .serialized)
struct IsolatedModuleProcessTests {
    static let quiet = Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The agent-message entry ids of a handoff in an event stream, until `count` were seen.
    static func agentMessages(_ iterator: inout EventStream.Iterator, handoff: String, into delivered: inout [String], until count: Int) async throws {
        while delivered.count < count, let event = try await iterator.next() {
            guard event.type == "handoff.agent_message", event.data.contains(handoff),
                  let payload = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
                  let entry = (payload["data"] as? [String: Any])?["entryId"] as? String else { continue }
            delivered.append(entry)
        }
    }

    @Test(.timeLimit(.minutes(3))) func aHandoffSurvivesTheModuleProcessDying() async throws {
        let rig = try await ManualAgentRig.start(name: "isolated", keyID: "iso-1", issuer: "https://iso.example")
        defer { rig.finish() }
        let (directory, port, base, sandbox) = (rig.directory, rig.port, rig.base, rig.sandbox)
        try """
            version: 1
            host: { listen: "127.0.0.1:\(port)", store: "sqlite:state.db", shutdown_timeout: 5s }
            modules:
              salesforce-isolated:
                command: "\(SwitchboardProcess.binary)"
                args: [modules, serve, salesforce, --as, salesforce-isolated]
                call_timeout: 20s
            connectors:
              acme:
                module: salesforce-isolated
                features: [live-agent]
                org: { login_url: "\(sandbox)" }
                auth: { consumer_key: unused-here, username: integration@sandbox.switchboard.example, private_key: file:key.pem }
                live-agent:
                  scrt_url: "\(sandbox)"
                  org_id: 00DSBX000000001AAA
                  es_developer_name: Support_API
                  key_id: iso-1
                  issuer: https://iso.example
                  private_key: file:key.pem
                  certificate: file:cert.pem
                  topics: [Access]
                  stream_idle_timeout: 5s
            """.write(toFile: directory + "/connectors.yaml", atomically: false, encoding: .utf8)
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }
        func agent(_ conversation: String, _ body: String) async throws {
            let response = try await HandoffProcessTests.post(http, "\(sandbox)/__sandbox/messaging/conversations/\(conversation)/agent", body)
            #expect((200..<300).contains(response.status))
        }

        let validate = try await SwitchboardProcess.run(["validate"], in: directory)
        #expect(validate.status == 0, "\(validate.output)")
        let host = try SwitchboardProcess.Running(["run"], directory: directory, environment: [:])
        try await host.waitForStderr("API listening")
        try await host.waitForStderr("external module started")

        // The host publishes the module's key (keys.published): the sandbox verifies against it.
        let jwks = try HandoffProcessTests.json(try await http.send(.init(url: base + "/.well-known/jwks.json")))
        #expect((jwks["keys"] as? [[String: Any]])?.first?["kid"] as? String == "iso-1")

        // doctor (the running host serves the keyset's JWKS) asks the module out of process: its
        // messaging checks run across the protocol.
        let doctor = try await SwitchboardProcess.run(["doctor"], in: directory)
        #expect(doctor.status == 0 && doctor.stdout.contains("✓ Enhanced Messaging gives a verified user a token")
                && doctor.stdout.contains("✓ the JWKS serves the signing key iso-1"), "\(doctor.output)")

        let created = try await HandoffProcessTests.post(http, base + "/v1/handoffs", #"{"employeeId":"emp-1","topic":"Access","summary":"Access to the finance share."}"#)
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let handoff = try HandoffProcessTests.json(created)
        let id = try #require(handoff["id"] as? String)
        let conversation = try #require(handoff["conversationId"] as? String)
        #expect(!conversation.isEmpty)
        var iterator = http.events(.init(url: base + "/v1/events?after=0")).makeAsyncIterator()
        try await agent(conversation, #"{"action":"route"}"#)
        try await agent(conversation, #"{"action":"join"}"#)
        try await agent(conversation, #"{"action":"message","text":"reply 1"}"#)
        var delivered: [String] = []
        try await Self.agentMessages(&iterator, handoff: id, into: &delivered, until: 1)
        let active = try HandoffProcessTests.json(try await http.send(.init(url: base + "/v1/handoffs/\(id)")))
        #expect(active["status"] as? String == "active")

        // The employee answers through the module; the sandbox sees the summary and the answer.
        #expect(try await HandoffProcessTests.post(http, base + "/v1/handoffs/\(id)/messages", #"{"text":"Thanks."}"#).status == 202)
        let texts = (try await HandoffProcessTests.conversation(http, sandbox: sandbox, id: conversation)["endUserMessages"] as? [[String: Any]])?
            .compactMap { $0["text"] as? String }
        #expect(texts == ["Access to the finance share.", "Thanks."])

        // The module process dies without warning while the agent writes.
        let line = try #require(host.stderrText.split(separator: "\n").last { $0.contains("external module started") })
        let pid = try #require(line.split(separator: " ").first { $0.hasPrefix("pid=") }.flatMap { Int32($0.dropFirst(4)) })
        try await agent(conversation, #"{"action":"message","text":"reply 2"}"#)
        kill(pid, SIGKILL)
        try await agent(conversation, #"{"action":"message","text":"reply 3 (module down)"}"#)
        try await agent(conversation, #"{"action":"message","text":"reply 4 (module down)"}"#)
        try await Self.agentMessages(&iterator, handoff: id, into: &delivered, until: 4)
        try await agent(conversation, #"{"action":"message","text":"reply 5 (after the restart)"}"#)
        try await Self.agentMessages(&iterator, handoff: id, into: &delivered, until: 5)
        let view = try await HandoffProcessTests.conversation(http, sandbox: sandbox, id: conversation)
        #expect(view["agentMessageIds"] as? [String] == delivered, "every agent message once, in order, across the module's SIGKILL")
        let restarts = host.stderrText.components(separatedBy: "external module started").count - 1
        #expect(restarts >= 2, "the supervisor started a new module process")
        // The stream and the REST calls went through the host's transport (its metrics), once per module process.
        let metrics = String(decoding: try await http.send(.init(url: base + "/metrics")).body, as: UTF8.self)
        let streams = metrics.split(separator: "\n").first { $0.hasPrefix(#"switchboard_sse_connections_total{connector="acme"}"#) }
        #expect(streams.flatMap { $0.split(separator: " ").last.flatMap { Int($0) } }.map { $0 >= 2 } == true, "\(streams ?? "no SSE metric")")
        #expect(metrics.contains(#"switchboard_http_requests_total{connector="acme",status="201"}"#), "the conversation was created through the host")

        // Ending through the module closes the conversation in the org and the handoff in the host.
        let ended = try await http.send(.init(method: "DELETE", url: base + "/v1/handoffs/\(id)"))
        let endedView = try HandoffProcessTests.json(ended)
        #expect(ended.status == 200 && endedView["status"] as? String == "ended")
        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)
        #expect(kill(pid, 0) != 0)
    }
}
