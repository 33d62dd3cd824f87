import ConnectorKit
import Foundation
import Logging
import Testing

/// Several `switchboard run` processes on one PostgreSQL database (the shipped config, each host
/// with its built-in sandbox org): every scheduled work has one holder, every host serves the same
/// event log, and the work of a host that is SIGKILLed moves to another.
@Suite("switchboard hosts sharing PostgreSQL, as processes", .serialized)
struct MultiHostProcessTests {
    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let quiet = Logger(label: "multi-host", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The sandbox's query counters: requests and distinct sessions (access tokens) per object.
    static func queries(_ http: HTTPTransport, _ sandbox: String) async throws -> [String: (requests: Int, sessions: Int)] {
        let stats = try JSONParser.parse(try await http.send(.init(url: sandbox + "/__sandbox/stats")).body)
        var counts: [String: (requests: Int, sessions: Int)] = [:]
        if case .object(let objects)? = stats["queries"] {
            for member in objects {
                if case .integer(let requests)? = member.value["requests"], case .integer(let sessions)? = member.value["sessions"] {
                    counts[member.name] = (Int(requests), Int(sessions))
                }
            }
        }
        return counts
    }

    /// Three hosts on one database and one org (a shared sandbox whose every REST call takes 250 ms):
    /// each scheduled work has one holder that every host agrees on, and the org sees each object
    /// queried by one session only — one host's. The contact sync's holder is SIGKILLed while the
    /// sync runs: another host finishes it from the checkpoint (the rows committed before the kill
    /// are not read again), and the store ends with every contact once.
    @Test(.enabled(if: postgresURL != nil), .timeLimit(.minutes(4))) func scheduledWorkRunsOnceAndARunningSyncMoves() async throws {
        let server = try #require(Self.postgresURL)
        let contacts = 20_000
        let rig = try await ManualAgentRig.start(name: "multihost-sync", keyID: "e2e-1", issuer: "https://e2e.example", uploadedKey: true, arguments: [
            "--consumer-key", "e2e-app", "--certificate", "cert.pem", "--contacts", "\(contacts)", "--articles", "30", "--cases", "10",
        ])
        defer { rig.finish() }
        let cluster = try HostCluster(server: server)
        defer { cluster.finish() }
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }
        let fault = try await HandoffProcessTests.post(http, rig.sandbox + "/__sandbox/faults", #"{"path":"/services/data/","delayMs":250}"#)
        #expect(fault.status == 201)
        try await cluster.start(["a", "b", "c"], config: """
            version: 1
            host: { store: "\(cluster.storeURL)", shutdown_timeout: 5s }
            connectors:
              acme:
                module: salesforce
                features: [ticketing, user-ingestion, knowledge]
                org: { login_url: "\(rig.sandbox)" }
                auth: { consumer_key: e2e-app, username: integration@sandbox.switchboard.example, private_key: file:key.pem }
                ticketing: { watch_interval: 2s }
                user-ingestion: { schedule: 1h, batch_size: 1000 }
                knowledge: { schedule: 1h }
            """, files: [rig.directory + "/key.pem"])

        // The contact sync runs (pages of 1,000, 250 ms each) and has committed part of the contacts.
        var usersAtKill = 0
        let started = ContinuousClock.now
        while usersAtKill == 0, ContinuousClock.now - started < .seconds(60) {
            try await Task.sleep(for: .milliseconds(100))
            usersAtKill = try cluster.count("SELECT count(*) FROM users")
        }
        #expect(usersAtKill > 0 && usersAtKill < contacts, "the sync is running: \(usersAtKill) of \(contacts) committed")

        // One holder per work, as every host sees it; the org saw one session per object.
        let works: Set<String> = ["acme/users", "acme/articles", "acme/ticket-watch"]
        var views: [(reachable: Bool, mine: Set<String>, holders: [String: String], streams: Int)] = []
        for host in cluster.hosts { views.append(try await HostCluster.leases(http, host.base)) }
        #expect(views.allSatisfy { $0.reachable }, "every host reaches the store")
        #expect(works.isSubset(of: Set(views[0].holders.keys)), "\(views[0].holders)")
        #expect(views.allSatisfy { $0.holders == views[0].holders }, "one holder per work, as every host sees it")
        for work in works {
            #expect(views.filter { $0.mine.contains(work) }.count == 1, "\(work) is exactly one host's")
        }
        try await Task.sleep(for: .seconds(3))  // a few ticket-watch rounds more
        let before = try await Self.queries(http, rig.sandbox)
        for object in ["Contact", "Knowledge__kav", "Case"] {
            #expect(before[object]?.sessions == 1, "\(object) is queried by one host: \(before[object].map { "\($0)" } ?? "never")")
        }
        print("multi-host: sandbox queries while three hosts ran: \(before.mapValues { "\($0.requests) requests by \($0.sessions) session(s)" })")

        // SIGKILL the holder of the running contact sync.
        let victim = try #require(cluster.hosts.indices.first { views[$0].mine.contains("acme/users") }.map { cluster.hosts[$0].name })
        usersAtKill = try cluster.count("SELECT count(*) FROM users")
        let killedAt = Date()
        let killClock = ContinuousClock.now
        try await cluster.kill(victim)
        var users = usersAtKill
        while users < contacts, ContinuousClock.now - killClock < .seconds(90) {
            try await Task.sleep(for: .milliseconds(250))
            users = try cluster.count("SELECT count(*) FROM users")
        }
        let finished = ContinuousClock.now - killClock
        #expect(users == contacts, "every contact once: \(users) of \(contacts)")
        #expect(try cluster.count("SELECT count(DISTINCT lower(email)) FROM users") == contacts)
        // Resumed from the checkpoint: the rows committed before the kill were not written again
        // (a run from the start would have rewritten every one; the last page may be read twice).
        let untouched = try cluster.count("SELECT count(*) FROM users WHERE synced_at < \(killedAt.timeIntervalSince1970)")
        #expect(untouched >= usersAtKill - 1000, "\(untouched) rows kept of the \(usersAtKill) committed before the kill")
        let after = try await Self.queries(http, rig.sandbox)
        #expect(after["Contact"]?.sessions == 2, "the victim's session, then its successor's")
        var holder: String?
        for host in cluster.hosts where try await HostCluster.leases(http, host.base).mine.contains("acme/users") { holder = host.name }
        #expect(holder != nil && holder != victim)
        print("multi-host: contact sync (\(contacts) contacts) SIGKILLed at \(usersAtKill) committed; host \(holder ?? "none") finished it \(finished) after the kill, \(untouched) rows not rewritten")
    }

    /// `.ci/postgres COMMAND DIR`: the test's own cluster, which it can take down and bring back.
    @discardableResult
    static func cluster(_ command: String, _ directory: String) throws -> String {
        let script = ShippedConfigProcessTests.shipped.deletingLastPathComponent().appendingPathComponent(".ci/postgres").path
        // posix_spawn and waitpid: Foundation's Process did not see this script end here (its server
        // child keeps inherited descriptors), and the output goes to a file for the same reason.
        let outputPath = NSTemporaryDirectory() + "switchboard-pg-output-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/bash", script, command, directory].map { $0.withCString { strdup($0) } } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", &actions, nil, arguments, environ) == 0 else {
            throw HandoffProcessTests.SwitchboardProcessError("cannot run .ci/postgres")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        guard status == 0 else { throw HandoffProcessTests.SwitchboardProcessError(".ci/postgres \(command) failed (\(status))") }
        return (try String(contentsOfFile: outputPath, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// PostgreSQL goes away under a running host: readiness says so (the store is among what fails),
    /// the host keeps running, and once the database is back the host is ready again and writes
    /// and wakes event readers as before (its pool and its LISTEN connection reconnect).
    @Test(.enabled(if: postgresURL != nil), .timeLimit(.minutes(3))) func anOutageMakesTheHostUnreadyAndItRecovers() async throws {
        let clusterDirectory = NSTemporaryDirectory() + "switchboard-outage-pg-" + UUID().uuidString
        let server = try Self.cluster("start", clusterDirectory)
        defer { _ = try? Self.cluster("stop", clusterDirectory) }
        let directory = NSTemporaryDirectory() + "switchboard-outage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let shipped = try String(contentsOf: ShippedConfigProcessTests.shipped, encoding: .utf8)
        try shipped.replacingOccurrences(of: "  store: sqlite:.switchboard/state.db", with: "  store: \(server)?sslmode=disable")
            .write(toFile: directory + "/connectors.yaml", atomically: true, encoding: .utf8)
        let port = try HandoffProcessTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        let host = try SwitchboardProcess.Running(["run"], directory: directory, environment: ["SWITCHBOARD_LISTEN": "127.0.0.1:\(port)"])
        defer { host.signal(SIGTERM) }
        try await host.waitForStderr("API listening", timeout: .seconds(60))
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }
        func readiness() async throws -> (status: Int, failing: [String]) {
            let response = try await http.send(.init(url: base + "/readyz", safeToRepeat: false))
            let json = try JSONParser.parse(response.body)
            guard case .array(let failing)? = json["failing"] else { return (response.status, []) }
            return (response.status, failing.compactMap(\.stringValue))
        }
        func readinessShows(_ what: String, within limit: Duration, _ condition: (Int, [String]) -> Bool) async throws -> Duration {
            let started = ContinuousClock.now
            while ContinuousClock.now - started < limit {
                let (status, failing) = try await readiness()
                if condition(status, failing) { return ContinuousClock.now - started }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw HandoffProcessTests.SwitchboardProcessError("readiness never showed \(what): \(try await readiness())")
        }
        _ = try await readinessShows("ready", within: .seconds(60)) { status, _ in status == 200 }
        let cursor = try JSONParser.parse(try await http.send(.init(url: base + "/v1/events/poll")).body)["next"]

        try Self.cluster("pause", clusterDirectory)
        let noticed = try await readinessShows("the store failing", within: .seconds(20)) { status, failing in status == 503 && failing.contains("store") }
        try Self.cluster("resume", clusterDirectory)
        let recovered = try await readinessShows("ready again", within: .seconds(60)) { status, _ in status == 200 }
        print("outage: readiness failed \(noticed) after PostgreSQL stopped, ready \(recovered) after it was back")

        // Writes and event wake-ups work again: a handoff's first events reach a long-polling reader.
        let created = try await http.send(.init(method: "POST", url: base + "/v1/handoffs", headers: [("Content-Type", "application/json")],
                                                body: Array(#"{"connector":"acme-salesforce","employeeId":"emp-outage","topic":"Access"}"#.utf8)))
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let id = try #require(try JSONParser.parse(created.body)["id"]?.stringValue)
        guard case .integer(let after)? = cursor else { Issue.record("no cursor"); return }
        let page = try JSONParser.parse(try await http.send(.init(url: base + "/v1/events/poll?after=\(after)&subject=\(id)&wait=20")).body)
        guard case .array(let events)? = page["events"] else { Issue.record("no page"); return }
        #expect(events.first?["type"]?.stringValue == "handoff.queued", "\(events)")
        #expect(host.process.isRunning, "the host rode the outage out")
    }
}
