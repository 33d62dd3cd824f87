import ConnectorKit
import Foundation
import Synchronization
import SwitchboardHost
import Testing

/// Live reload through the built binary: `switchboard reload` (and `kill -HUP`) against a running
/// host on a manual-agent sandbox — connectors added and removed (the removed one's open handoff
/// ended and announced), an unchanged connector untouched (no new token, no new stream), invalid
/// files and host-level changes refused with nothing changed, a live-agent setting changed in the
/// middle of an agent's burst (every reply relayed once), and reloads while a contact sync runs.
@Suite("switchboard reload, as processes", .serialized)
struct ReloadProcessTests {
    /// Every event a host's `/v1/events` delivered: type and data, in order.
    final class EventLog: Sendable {
        let events = Mutex<[(type: String, data: String)]>([])
        var all: [(type: String, data: String)] { events.withLock { $0 } }

        /// The entry ids of a handoff's agent messages, in order (with repeats).
        func agentMessages(_ handoff: String) -> [String] {
            all.filter { $0.type == "handoff.agent_message" && $0.data.contains(handoff) }.compactMap {
                (try? JSONParser.parse(Array($0.data.utf8)))?["data"]?["entryId"]?.stringValue
            }
        }

        func read(_ http: HTTPTransport, base: String) async throws {
            var iterator = http.events(.init(url: base + "/v1/events?after=0")).makeAsyncIterator()
            while let event = try await iterator.next() { events.withLock { $0.append((event.type, event.data)) } }
        }

        /// Waits until `condition` holds for the log (up to `timeout`).
        func wait(_ what: String, timeout: Duration = .seconds(30), _ condition: (EventLog) -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while !condition(self) {
                guard ContinuousClock.now < deadline else { throw SwitchboardProcess.TimedOut(waitingFor: what, running: true, output: "\(all.suffix(20))") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// A live-agent-only Salesforce connector on the rig's sandbox.
    static func liveAgentConnector(_ name: String, rig: ManualAgentRig, topics: String = "[Access]") -> String {
        """
          \(name):
            module: salesforce
            features: [live-agent]
            org: { login_url: "\(rig.sandbox)" }
            auth: { consumer_key: unused-here, username: integration@sandbox.switchboard.example, private_key: file:key.pem }
        \(rig.liveAgentSection.replacingOccurrences(of: "topics: [Access]", with: "topics: \(topics)"))
        """
    }

    static func config(port: Int, _ connectors: [String], host extra: String = "") -> String {
        """
        version: 1
        host: { listen: "127.0.0.1:\(port)", store: "sqlite:state.db", shutdown_timeout: 5s\(extra) }
        connectors:
        \(connectors.joined(separator: "\n"))
        """
    }

    static func write(_ text: String, to directory: String) throws {
        try text.write(toFile: directory + "/connectors.yaml", atomically: true, encoding: .utf8)
    }

    /// `/v1/connectors`: the names in order and the configuration generation.
    static func connectors(_ http: HTTPTransport, _ base: String) async throws -> (names: [String], generation: Int) {
        let json = try JSONParser.parse(try await http.send(.init(url: base + "/v1/connectors")).body)
        let names = (json["connectors"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        return (names, Int(json["configuration"]?["generation"]?.integerValue ?? 0))
    }

    /// The sandbox's Enhanced Messaging access tokens and event streams for an employee.
    static func messagingUse(_ http: HTTPTransport, _ rig: ManualAgentRig, employee: String) async throws -> (tokens: Int, streams: Int) {
        let json = try JSONParser.parse(try await http.send(.init(url: rig.sandbox + "/__sandbox/messaging/stats")).body)
        func count(_ key: String) -> Int {
            guard case .object(let members)? = json[key] else { return 0 }
            return members.filter { $0.name.hasSuffix("uid:\(employee)") }.map { Int($0.value.integerValue ?? 0) }.reduce(0, +)
        }
        return (count("tokens"), count("streams"))
    }

    static func startHandoff(_ http: HTTPTransport, _ base: String, connector: String, employee: String, topic: String = "Access") async throws
        -> (id: String, conversation: String) {
        let response = try await HandoffProcessTests.post(http, base + "/v1/handoffs", #"{"connector":"\#(connector)","employeeId":"\#(employee)","topic":"\#(topic)"}"#)
        let json = try HandoffProcessTests.json(response)
        return (try #require(json["id"] as? String, "\(json)"), try #require(json["conversationId"] as? String))
    }

    /// Writes the configuration with `connectors` and starts a host on it, listening.
    static func startHost(_ rig: ManualAgentRig, _ connectors: [String]) async throws -> SwitchboardProcess.Running {
        try write(config(port: rig.port, connectors), to: rig.directory)
        let host = try SwitchboardProcess.Running(["run"], directory: rig.directory, environment: [:])
        try await host.waitForStderr("API listening")
        return host
    }

    @Test(.timeLimit(.minutes(3))) func addsAndRemovesConnectorsAndLeavesTheOthersAlone() async throws {
        let rig = try await ManualAgentRig.start(name: "reload-fleet", keyID: "e2e-1", issuer: "https://e2e.example", uploadedKey: true)
        defer { rig.finish() }
        let (directory, base) = (rig.directory, rig.base)
        let http = HTTPTransport(logger: HandoffProcessTests.quiet)
        defer { Task { try? await http.shutdown() } }
        let host = try await Self.startHost(rig, [Self.liveAgentConnector("keep", rig: rig), Self.liveAgentConnector("gone", rig: rig)])
        defer { host.signal(SIGKILL) }
        let log = EventLog()
        let reading = Task { try await log.read(http, base: base) }
        defer { reading.cancel() }
        #expect(try await Self.connectors(http, base) == (["keep", "gone"], 1))

        let kept = try await Self.startHandoff(http, base, connector: "keep", employee: "emp-keep")
        let removed = try await Self.startHandoff(http, base, connector: "gone", employee: "emp-gone")
        for conversation in [kept.conversation, removed.conversation] {
            try await rig.agent(http, conversation, #"{"action":"route"}"#)
            try await rig.agent(http, conversation, #"{"action":"join"}"#)
        }
        try await rig.agent(http, kept.conversation, #"{"action":"message","text":"before the reload"}"#)
        try await log.wait("the first reply") { $0.agentMessages(kept.id).count == 1 }
        let keepBefore = try await Self.messagingUse(http, rig, employee: "emp-keep")

        // gone removed (its handoff still open), extra added, keep as it was.
        try Self.write(Self.config(port: rig.port, [Self.liveAgentConnector("keep", rig: rig), Self.liveAgentConnector("extra", rig: rig)]), to: directory)
        let reload = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(reload.status == 0, "\(reload.output)")
        #expect(reload.stdout.contains("configuration generation 2") && reload.stdout.contains("added: extra")
                && reload.stdout.contains("removed: gone") && reload.stdout.contains("unchanged: keep"), "\(reload.output)")

        // The removed connector's open handoff: closed on the agent's side and announced, with the reason.
        try await log.wait("gone's handoff closed") { log in log.all.contains { $0.type == "handoff.closed" && $0.data.contains(removed.id) } }
        let closed = try #require(log.all.first { $0.type == "handoff.closed" && $0.data.contains(removed.id) })
        #expect(closed.data.contains(#""reason":"the connector was removed from the configuration""#), "\(closed.data)")
        #expect(try await HandoffProcessTests.conversation(http, sandbox: rig.sandbox, id: removed.conversation)["closed"] as? Bool == true)
        let stored = try HandoffProcessTests.json(try await http.send(.init(url: base + "/v1/handoffs/\(removed.id)")))
        #expect(stored["status"] as? String == "ended", "\(stored)")

        #expect(try await Self.connectors(http, base) == (["keep", "extra"], 2))
        let metrics = String(decoding: try await http.send(.init(url: base + "/metrics")).body, as: UTF8.self)
        #expect(metrics.contains("switchboard_config_generation 2") && metrics.contains("switchboard_config_loaded_timestamp_seconds"), "\(metrics.prefix(2000))")

        // keep was not touched: the same access token, the same stream, and it still relays.
        try await rig.agent(http, kept.conversation, #"{"action":"message","text":"after the reload"}"#)
        try await log.wait("the reply after the reload") { $0.agentMessages(kept.id).count == 2 }
        let keepAfter = try await Self.messagingUse(http, rig, employee: "emp-keep")
        #expect(keepBefore.tokens == 1 && keepBefore.streams == 1 && keepAfter == keepBefore, "before \(keepBefore), after \(keepAfter)")
        #expect(log.agentMessages(kept.id) == (try await HandoffProcessTests.conversation(http, sandbox: rig.sandbox, id: kept.conversation)["agentMessageIds"] as? [String]))

        // The new connector serves.
        let added = try await Self.startHandoff(http, base, connector: "extra", employee: "emp-extra")
        #expect(added.id.hasPrefix("ho_"))
        let gone = try await HandoffProcessTests.post(http, base + "/v1/handoffs", #"{"connector":"gone","employeeId":"emp-9","topic":"Access"}"#)
        #expect(gone.status == 404, "\(String(decoding: gone.body, as: UTF8.self))")

        // Logged once, with what changed.
        let lines = host.stderrText.split(separator: "\n").filter { $0.contains("configuration reloaded") }
        #expect(lines.count == 1 && lines[0].contains("added=extra") && lines[0].contains("removed=gone") && lines[0].contains("generation=2"), "\(lines)")
        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)
    }

    @Test(.timeLimit(.minutes(3))) func invalidFilesAndHostChangesChangeNothing() async throws {
        let rig = try await ManualAgentRig.start(name: "reload-invalid", keyID: "e2e-1", issuer: "https://e2e.example", uploadedKey: true)
        defer { rig.finish() }
        let (directory, base) = (rig.directory, rig.base)
        let valid = Self.config(port: rig.port, [Self.liveAgentConnector("acme", rig: rig)])
        let http = HTTPTransport(logger: HandoffProcessTests.quiet)
        defer { Task { try? await http.shutdown() } }
        let host = try await Self.startHost(rig, [Self.liveAgentConnector("acme", rig: rig)])
        defer { host.signal(SIGKILL) }
        let handoff = try await Self.startHandoff(http, base, connector: "acme", employee: "emp-1")
        try await rig.agent(http, handoff.conversation, #"{"action":"route"}"#)
        let use = try await Self.messagingUse(http, rig, employee: "emp-1")

        // Two mistakes: every one reported with file:line:col, as validate reports them.
        try Self.write(valid.replacingOccurrences(of: "stream_idle_timeout: 5s", with: "stream_idle_timeout: 5 parsecs")
            .replacingOccurrences(of: "features: [live-agent]", with: "features: [live-agent, telepathy]"), to: directory)
        let validate = try await SwitchboardProcess.run(["validate"], in: directory)
        let problems = validate.stderr.split(separator: "\n").filter { $0.hasPrefix("connectors.yaml:") }.map(String.init)
        #expect(validate.status == 1 && problems.count == 2, "\(validate.output)")
        let refused = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("nothing changed"), "\(refused.output)")
        for problem in problems {
            #expect(refused.stderr.contains(problem), "reload prints \(problem)")
            #expect(host.stderrText.contains(problem), "the host logs \(problem)")
        }

        // A YAML syntax error through kill -HUP directly: logged, nothing else happens.
        try Self.write(valid + "\n  broken: [unclosed\n", to: directory)
        host.signal(SIGHUP)
        try await host.waitForStderr("configuration reload refused", timeout: .seconds(10))
        try await Task.sleep(for: .milliseconds(500))
        #expect(host.stderrText.components(separatedBy: "configuration reload refused").count - 1 == 2)

        // A host-level change is refused: a restart is needed.
        let otherPort = try HandoffProcessTests.freePort()
        try Self.write(valid.replacingOccurrences(of: "127.0.0.1:\(rig.port)", with: "127.0.0.1:\(otherPort)")
            .replacingOccurrences(of: "topics: [Access]", with: "topics: [Access, Hardware]"), to: directory)
        let moved = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(moved.status == 1 && moved.stderr.contains("host.listen changed") && moved.stderr.contains("restart the host"), "\(moved.output)")

        // Through all of it: still generation 1, ready, the same stream, the topic list unchanged.
        #expect(host.process.isRunning)
        #expect(try await Self.connectors(http, base) == (["acme"], 1))
        #expect(try await http.send(.init(url: base + "/readyz")).status == 200)
        #expect(try await Self.messagingUse(http, rig, employee: "emp-1") == use)
        let hardware = try await HandoffProcessTests.post(http, base + "/v1/handoffs", #"{"connector":"acme","employeeId":"emp-2","topic":"Hardware"}"#)
        #expect(hardware.status == 400)
        #expect(!host.stderrText.contains("configuration reloaded"))

        // Fixed, it applies.
        try Self.write(valid.replacingOccurrences(of: "topics: [Access]", with: "topics: [Access, Hardware]"), to: directory)
        let fixed = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(fixed.status == 0 && fixed.stdout.contains("restarted: acme (live-agent.topics)"), "\(fixed.output)")
        #expect(try await Self.connectors(http, base).generation == 2)
        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)
        let none = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(none.status == 1 && none.stderr.contains("no switchboard host runs"), "\(none.output)")
    }

    @Test(.timeLimit(.minutes(3))) func aLiveAgentChangeDuringABurstRelaysEveryReplyOnce() async throws {
        let rig = try await ManualAgentRig.start(name: "reload-burst", keyID: "e2e-1", issuer: "https://e2e.example", uploadedKey: true)
        defer { rig.finish() }
        let (directory, base) = (rig.directory, rig.base)
        let http = HTTPTransport(logger: HandoffProcessTests.quiet)
        defer { Task { try? await http.shutdown() } }
        let host = try await Self.startHost(rig, [Self.liveAgentConnector("acme", rig: rig)])
        defer { host.signal(SIGKILL) }
        let log = EventLog()
        let reading = Task { try await log.read(http, base: base) }
        defer { reading.cancel() }
        let handoff = try await Self.startHandoff(http, base, connector: "acme", employee: "emp-1")
        try await rig.agent(http, handoff.conversation, #"{"action":"route"}"#)
        try await rig.agent(http, handoff.conversation, #"{"action":"join"}"#)

        // 30 replies, 100 ms apart; after the tenth the connector's live-agent settings change.
        let (sandbox, conversation) = (rig.sandbox, handoff.conversation)
        let burst = Task {
            for reply in 1...30 {
                _ = try await HandoffProcessTests.post(http, "\(sandbox)/__sandbox/messaging/conversations/\(conversation)/agent",
                                                       #"{"action":"message","text":"reply \#(reply)"}"#)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        try await log.wait("the tenth reply") { $0.agentMessages(handoff.id).count >= 10 }
        try Self.write(Self.config(port: rig.port, [Self.liveAgentConnector("acme", rig: rig, topics: "[Access, Hardware]")]), to: directory)
        let reload = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(reload.status == 0 && reload.stdout.contains("restarted: acme (live-agent.topics)"), "\(reload.output)")
        try await burst.value
        try await rig.agent(http, handoff.conversation, #"{"action":"message","text":"after the burst"}"#)
        try await log.wait("every reply", timeout: .seconds(60)) { $0.agentMessages(handoff.id).count >= 31 }
        try await Task.sleep(for: .seconds(1))  // a repeat would show up now

        let sent = try #require(try await HandoffProcessTests.conversation(http, sandbox: rig.sandbox, id: handoff.conversation)["agentMessageIds"] as? [String])
        #expect(sent.count == 31)
        #expect(log.agentMessages(handoff.id) == sent, "every reply exactly once, in order")
        // The new setting applies; the restarted connector took a new token and stream.
        #expect(try await HandoffProcessTests.post(http, base + "/v1/handoffs", #"{"connector":"acme","employeeId":"emp-2","topic":"Hardware"}"#).status == 201)
        let use = try await Self.messagingUse(http, rig, employee: "emp-1")
        #expect(use.streams >= 2, "\(use)")
        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)
    }

    @Test(.timeLimit(.minutes(3))) func reloadsDuringAContactSyncLoseNothing() async throws {
        let contacts = 20_000
        let rig = try await ManualAgentRig.start(name: "reload-sync", keyID: "e2e-1", issuer: "https://e2e.example", uploadedKey: true, arguments: [
            "--consumer-key", "e2e-app", "--certificate", "cert.pem", "--contacts", "\(contacts)",
        ])
        defer { rig.finish() }
        let (directory, base) = (rig.directory, rig.base)
        let http = HTTPTransport(logger: HandoffProcessTests.quiet)
        defer { Task { try? await http.shutdown() } }
        _ = try await HandoffProcessTests.post(http, rig.sandbox + "/__sandbox/faults", #"{"path":"/services/data/","delayMs":400}"#)
        func acme(_ schedule: String) -> String {
            """
              acme:
                module: salesforce
                features: [user-ingestion]
                org: { login_url: "\(rig.sandbox)" }
                auth: { consumer_key: e2e-app, username: integration@sandbox.switchboard.example, private_key: file:key.pem }
                user-ingestion: { schedule: \(schedule), batch_size: 1000 }
            """
        }
        try Self.write(Self.config(port: rig.port, [acme("1h")]), to: directory)
        let host = try SwitchboardProcess.Running(["run"], directory: directory, environment: [:])
        defer { host.signal(SIGKILL) }
        try await host.waitForStderr("API listening")
        func stored() async throws -> Int { try await SQLiteStore(path: directory + "/state.db").count(connector: "acme", stream: "users") }
        func tokens() async throws -> Int {
            Int(try JSONParser.parse(try await http.send(.init(url: rig.sandbox + "/__sandbox/stats")).body)["tokensIssued"]?.integerValue ?? -1)
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while try await stored() == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }

        // A reload that does not touch acme (a connector added beside it): its sync goes on.
        let tokensBefore = try await tokens()
        try Self.write(Self.config(port: rig.port, [acme("1h"), Self.liveAgentConnector("chat", rig: rig)]), to: directory)
        let beside = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(beside.status == 0 && beside.stdout.contains("unchanged: acme") && beside.stdout.contains("added: chat"), "\(beside.output)")
        let afterFirst = try await stored()
        #expect(afterFirst < contacts, "the sync was still running (\(afterFirst))")

        // A reload that changes acme's schedule: it restarts mid-sync and resumes from its checkpoint.
        while try await stored() < afterFirst + 3000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await tokens() == tokensBefore, "acme kept its session through the first reload")
        try Self.write(Self.config(port: rig.port, [acme("2h"), Self.liveAgentConnector("chat", rig: rig)]), to: directory)
        let changed = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(changed.status == 0 && changed.stdout.contains("restarted: acme (user-ingestion.schedule)"), "\(changed.output)")
        let atRestart = try await stored()
        #expect(atRestart < contacts, "the sync was still running when acme restarted (\(atRestart))")
        let finish = ContinuousClock.now + .seconds(90)
        while try await stored() < contacts, ContinuousClock.now < finish { try await Task.sleep(for: .milliseconds(200)) }
        let ids = try await SQLiteStore(path: directory + "/state.db").ids(connector: "acme", stream: "users")
        #expect(ids.count == contacts && Set(ids).count == contacts, "every contact once: \(ids.count)")
        try await host.waitForStderr("contacts synced", timeout: .seconds(30))
        let synced = host.stderrText.split(separator: "\n").filter { $0.contains("contacts synced") }
        #expect(synced.contains { $0.contains("resumed=true") }, "the restarted sync resumed: \(synced)")
        #expect(try await Self.connectors(http, base) == (["acme", "chat"], 3))
        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)
        print("reload during a sync: \(afterFirst) stored at the first reload, \(atRestart) at the restart, \(ids.count) in the end")
    }
}
