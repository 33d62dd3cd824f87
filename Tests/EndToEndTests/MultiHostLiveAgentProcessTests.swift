import ConnectorKit
import Foundation
import Synchronization
import Testing

extension MultiHostProcessTests {
    /// The agent messages of a handoff an event stream delivered, by entry id, in order (with repeats).
    final class Delivered: Sendable {
        let entries = Mutex<[String]>([])
        var all: [String] { entries.withLock { $0 } }
    }

    /// Reads `/v1/events` of one host from the start and records the agent messages of `handoff`.
    static func collect(_ http: HTTPTransport, base: String, handoff: String, into delivered: Delivered) async throws {
        var iterator = http.events(.init(url: base + "/v1/events?after=0")).makeAsyncIterator()
        while let event = try await iterator.next() {
            guard event.type == "handoff.agent_message", event.data.contains(handoff) else { continue }
            let payload = try JSONParser.parse(Array(event.data.utf8))
            if let entry = payload["data"]?["entryId"]?.stringValue { delivered.entries.withLock { $0.append(entry) } }
        }
    }

    /// Three hosts on one database and one Enhanced Messaging org. A handoff started on one host is
    /// streamed by exactly one host; the employee's messages go through another; the agent writes a
    /// burst of 30 replies and the stream's host is SIGKILLed in the middle of it. Another host
    /// takes the stream over (within the lease's 15 s) and every agent message reaches the
    /// assistant exactly once — counted by entry id on a third host's `/v1/events` — and every host
    /// serves the same event log in the same order.
    @Test(.enabled(if: postgresURL != nil), .timeLimit(.minutes(4))) func liveAgentStreamMovesWhenItsHostDies() async throws {
        let server = try #require(Self.postgresURL)
        let rig = try await ManualAgentRig.start(name: "multihost-agent", keyID: "e2e-1", issuer: "https://e2e.example", uploadedKey: true)
        defer { rig.finish() }
        let cluster = try HostCluster(server: server)
        defer { cluster.finish() }
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }
        try await cluster.start(["a", "b", "c"], config: """
            version: 1
            host: { store: "\(cluster.storeURL)", shutdown_timeout: 5s }
            connectors:
              acme:
                module: salesforce
                features: [live-agent]
                org: { login_url: "\(rig.sandbox)" }
                auth: { consumer_key: unused-here, username: integration@sandbox.switchboard.example, private_key: file:key.pem }
            \(rig.liveAgentSection)
            """, files: [rig.directory + "/key.pem"])
        func agent(_ conversation: String, _ body: String) async throws {
            #expect((200..<300).contains(try await rig.agent(http, conversation, body)))
        }
        func streamHolder() async throws -> String? {
            var holders: [String] = []
            for host in cluster.hosts where try await HostCluster.leases(http, host.base).streams > 0 { holders.append(host.name) }
            #expect(holders.count <= 1, "one host follows the employee's stream: \(holders)")
            return holders.first
        }

        // A handoff started on host a.
        let created = try HandoffProcessTests.json(try await HandoffProcessTests.post(http, cluster.hosts[0].base + "/v1/handoffs",
                                                                                       #"{"employeeId":"emp-1","topic":"Access"}"#))
        let id = try #require(created["id"] as? String)
        let conversation = try #require(created["conversationId"] as? String)
        var holder: String?
        for _ in 0..<100 where holder == nil {
            holder = try await streamHolder()
            if holder == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let victim = try #require(holder)
        let others = cluster.hosts.filter { $0.name != victim }
        let (writer, reader) = (others[0], others[1])

        // The assistant reads on one host that does not hold the stream and writes through it.
        let delivered = Delivered()
        let reading = Task { try await Self.collect(http, base: reader.base, handoff: id, into: delivered) }
        defer { reading.cancel() }
        try await agent(conversation, #"{"action":"route"}"#)
        try await agent(conversation, #"{"action":"join"}"#)
        let sent = try await HandoffProcessTests.post(http, writer.base + "/v1/handoffs/\(id)/messages", #"{"text":"my laptop will not boot"}"#)
        #expect((200..<300).contains(sent.status), "\(String(decoding: sent.body, as: UTF8.self))")
        let view = try await HandoffProcessTests.conversation(http, sandbox: rig.sandbox, id: conversation)
        #expect("\(view["endUserMessages"] ?? "")".contains("my laptop will not boot"), "a message written on host \(writer.name) reached the agent")

        // All three hosts serve the same event log, in the same order.
        var logs: [[String]] = []
        for host in cluster.hosts {
            let page = try JSONParser.parse(try await http.send(.init(url: host.base + "/v1/events/poll?after=0&limit=500")).body)
            if case .array(let events)? = page["events"] { logs.append(events.compactMap { $0["id"]?.stringValue }) }
        }
        #expect(logs.count == 3 && logs.allSatisfy { $0 == logs[0] } && !logs[0].isEmpty, "\(logs)")

        // A burst of 30 replies; the stream's host dies after the tenth.
        var killedAt: ContinuousClock.Instant?
        for reply in 1...30 {
            try await agent(conversation, #"{"action":"message","text":"reply \#(reply)"}"#)
            if reply == 10 {
                killedAt = .now
                try await cluster.kill(victim)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let agentMessages = try #require(try await HandoffProcessTests.conversation(http, sandbox: rig.sandbox, id: conversation)["agentMessageIds"] as? [String])
        #expect(agentMessages.count == 30)
        let deadline = ContinuousClock.now + .seconds(60)
        while Set(delivered.all).count < agentMessages.count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let caughtUp = ContinuousClock.now - (killedAt ?? .now)
        try await Task.sleep(for: .seconds(2))  // anything delivered twice would show by now
        #expect(delivered.all == agentMessages, "every agent message once, in order, across the SIGKILL")
        let newHolder = try await streamHolder()
        #expect(newHolder != nil && newHolder != victim, "the stream moved to \(newHolder ?? "nobody")")

        // The new holder relays what follows; every host serves the same log.
        try await agent(conversation, #"{"action":"message","text":"after the takeover"}"#)
        while delivered.all.count < 31, ContinuousClock.now < deadline + .seconds(20) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(delivered.all.count == 31 && Set(delivered.all).count == 31)
        logs = []
        for host in cluster.hosts {
            let page = try JSONParser.parse(try await http.send(.init(url: host.base + "/v1/events/poll?after=0&limit=500")).body)
            if case .array(let events)? = page["events"] { logs.append(events.compactMap { $0["id"]?.stringValue }) }
        }
        #expect(logs.count == 2 && logs.allSatisfy { $0 == logs[0] } && logs[0].count > 31, "\(logs.map(\.count))")
        print("multi-host: live-agent stream of host \(victim) SIGKILLed mid-burst; host \(newHolder ?? "none") relayed all 30 replies once, caught up \(caughtUp) after the kill")
    }
}
