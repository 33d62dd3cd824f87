import ConnectorKit
import Foundation
import Testing

extension MultiHostProcessTests {
    /// Two hosts on their own PostgreSQL, one org: a contact sync runs and an agent writes a burst
    /// of 40 replies while PostgreSQL is stopped and started again. Both hosts notice (readiness),
    /// answer what needs the store with a 503 the assistant can retry — nothing pretends to have
    /// been stored — reconnect, and in the end every contact is stored once and every agent reply
    /// reached the assistant once, in order.
    @Test(.enabled(if: postgresURL != nil), .timeLimit(.minutes(4))) func aRestartUnderLoadLosesNothing() async throws {
        let clusterDirectory = NSTemporaryDirectory() + "switchboard-restart-pg-" + UUID().uuidString
        let server = try Self.cluster("start", clusterDirectory)
        defer { _ = try? Self.cluster("stop", clusterDirectory) }
        let contacts = 20_000
        let rig = try await ManualAgentRig.start(name: "multihost-restart", keyID: "e2e-1", issuer: "https://e2e.example", uploadedKey: true, arguments: [
            "--consumer-key", "e2e-app", "--certificate", "cert.pem", "--contacts", "\(contacts)",
        ])
        defer { rig.finish() }
        let cluster = try HostCluster(server: server)
        defer { cluster.finish() }
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }
        _ = try await HandoffProcessTests.post(http, rig.sandbox + "/__sandbox/faults", #"{"path":"/services/data/","delayMs":300}"#)
        try await cluster.start(["a", "b"], config: """
            version: 1
            host: { store: "\(cluster.storeURL)", shutdown_timeout: 5s }
            connectors:
              acme:
                module: salesforce
                features: [user-ingestion, live-agent]
                org: { login_url: "\(rig.sandbox)" }
                auth: { consumer_key: e2e-app, username: integration@sandbox.switchboard.example, private_key: file:key.pem }
                user-ingestion: { schedule: 1h, batch_size: 1000 }
            \(rig.liveAgentSection)
            """, files: [rig.directory + "/key.pem"])
        func agent(_ conversation: String, _ body: String) async throws {
            #expect((200..<300).contains(try await rig.agent(http, conversation, body)))
        }
        func failing(_ host: HostCluster.Host) async throws -> (status: Int, failing: [String]) {
            let response = try await http.send(.init(url: host.base + "/readyz", safeToRepeat: false))
            let json = try JSONParser.parse(response.body)
            return (response.status, (json["failing"]?.arrayValue ?? []).compactMap(\.stringValue))
        }

        let created = try HandoffProcessTests.json(try await HandoffProcessTests.post(http, cluster.hosts[0].base + "/v1/handoffs",
                                                                                       #"{"employeeId":"emp-1","topic":"Access"}"#))
        let id = try #require(created["id"] as? String)
        let conversation = try #require(created["conversationId"] as? String)
        let delivered = Delivered()
        let readerBase = cluster.hosts[1].base
        let reading = Task { try await Self.collect(http, base: readerBase, handoff: id, into: delivered) }
        defer { reading.cancel() }
        try await agent(conversation, #"{"action":"route"}"#)
        try await agent(conversation, #"{"action":"join"}"#)
        let started = ContinuousClock.now
        while try cluster.count("SELECT count(*) FROM users") == 0, ContinuousClock.now - started < .seconds(60) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let usersBefore = try cluster.count("SELECT count(*) FROM users")

        // The agent's burst; PostgreSQL stops after the tenth reply and starts again 3 s later.
        var stoppedAt: ContinuousClock.Instant?, outage: Duration = .zero
        var duringOutage: [String] = []
        for reply in 1...40 {
            try await agent(conversation, #"{"action":"message","text":"reply \#(reply)"}"#)
            if reply == 10 {
                try Self.cluster("pause", clusterDirectory)
                stoppedAt = .now
            }
            if reply == 20 {
                // Both hosts say so; what needs the store is refused with a 503 to retry.
                for host in cluster.hosts {
                    let (status, failing) = try await failing(host)
                    #expect(status == 503 && failing.contains("store"), "host \(host.name): \(status) \(failing)")
                    #expect(host.process.process.isRunning)
                }
                let refused = try await HandoffProcessTests.post(http, cluster.hosts[1].base + "/v1/handoffs", #"{"employeeId":"emp-2","topic":"Access"}"#)
                let poll = try await http.send(.init(url: cluster.hosts[0].base + "/v1/events/poll?after=0", safeToRepeat: false))
                duringOutage = ["POST /v1/handoffs \(refused.status) \(String(decoding: refused.body, as: UTF8.self))",
                                "GET /v1/events/poll \(poll.status) \(String(decoding: poll.body, as: UTF8.self))"]
                #expect(refused.status == 503 && String(decoding: refused.body, as: UTF8.self).contains("store_unavailable"), "\(duringOutage[0])")
                #expect(poll.status == 503 && String(decoding: poll.body, as: UTF8.self).contains("store_unavailable"), "\(duringOutage[1])")
            }
            if reply == 25 {
                try Self.cluster("resume", clusterDirectory)
                outage = ContinuousClock.now - (stoppedAt ?? .now)
            }
            try await Task.sleep(for: .milliseconds(100))
        }

        var readyAgain: [String] = []
        for host in cluster.hosts {
            let deadline = ContinuousClock.now + .seconds(60)
            while try await failing(host).status != 200, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
            #expect(try await failing(host).status == 200, "host \(host.name) is ready again")
            readyAgain.append("\(host.name) ready \(ContinuousClock.now - (stoppedAt ?? .now) - outage) after the restart")
        }
        let agentMessages = try #require(try await HandoffProcessTests.conversation(http, sandbox: rig.sandbox, id: conversation)["agentMessageIds"] as? [String])
        let deadline = ContinuousClock.now + .seconds(90)
        var users = 0
        while ContinuousClock.now < deadline {
            users = try cluster.count("SELECT count(*) FROM users")
            if users == contacts, Set(delivered.all).count == agentMessages.count { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        try await Task.sleep(for: .seconds(2))  // anything delivered twice would show by now
        #expect(usersBefore < contacts, "the sync was running when PostgreSQL stopped")
        #expect(users == contacts, "every contact once: \(users) of \(contacts)")
        #expect(agentMessages.count == 40 && delivered.all == agentMessages, "every agent reply once, in order, across the restart: \(delivered.all.count)")
        print("restart: PostgreSQL down \(outage) under a contact sync and an agent burst; \(readyAgain); during it: \(duringOutage.map { String($0.prefix(60)) })")
    }
}
