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

    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HandoffProcessTests.SwitchboardProcessError("psql failed: \(sql)") }
    }

    /// `/readyz`'s store part, as one host sees it.
    static func leases(_ http: HTTPTransport, _ base: String) async throws -> (reachable: Bool, mine: Set<String>, holders: [String: String]) {
        let response = try await http.send(.init(url: base + "/readyz"))
        let json = try JSONParser.parse(response.body)
        var mine: Set<String> = [], holders: [String: String] = [:]
        if case .array(let leases)? = json["store"]?["leases"] {
            for lease in leases {
                guard let name = lease["name"]?.stringValue, let holder = lease["holder"]?.stringValue,
                      case .number(let left)? = lease["expiresInSeconds"], left > 0 else { continue }
                holders[name] = holder
                if lease["mine"] == .bool(true) { mine.insert(name) }
            }
        }
        return (json["store"]?["reachable"] == .bool(true), mine, holders)
    }

    @Test(.enabled(if: postgresURL != nil), .timeLimit(.minutes(3))) func workHasOneHolderAndMovesWhenItsHostDies() async throws {
        let server = try #require(Self.postgresURL)
        let database = "sb_e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try Self.psql(server, "CREATE DATABASE \(database)")
        defer { try? Self.psql(server, "DROP DATABASE \(database) WITH (FORCE)") }
        var url = URLComponents(string: server)!
        url.path = "/" + database
        url.queryItems = [URLQueryItem(name: "sslmode", value: "disable")]
        let storeURL = url.string!

        let root = NSTemporaryDirectory() + "switchboard-multihost-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        var hosts: [(name: String, process: SwitchboardProcess.Running, base: String)] = []
        defer { for host in hosts { host.process.signal(SIGTERM) } }
        for name in ["a", "b", "c"] {
            let directory = root + "/" + name
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let shipped = try String(contentsOf: ShippedConfigProcessTests.shipped, encoding: .utf8)
            try shipped.replacingOccurrences(of: "  store: sqlite:.switchboard/state.db", with: "  store: \(storeURL)")
                .write(toFile: directory + "/connectors.yaml", atomically: true, encoding: .utf8)
            let port = try HandoffProcessTests.freePort()
            let process = try SwitchboardProcess.Running(["run"], directory: directory, environment: ["SWITCHBOARD_LISTEN": "127.0.0.1:\(port)"])
            hosts.append((name, process, "http://127.0.0.1:\(port)"))
        }
        for host in hosts { try await host.process.waitForStderr("API listening", timeout: .seconds(60)) }
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }

        // Every scheduled work of the shipped connector gets one holder, and all hosts agree on it.
        let works: Set<String> = ["acme-salesforce/users", "acme-salesforce/articles", "acme-salesforce/ticket-watch"]
        var views: [(reachable: Bool, mine: Set<String>, holders: [String: String])] = []
        for _ in 0..<200 {
            views = []
            for host in hosts { views.append(try await Self.leases(http, host.base)) }
            if works.isSubset(of: Set(views[0].holders.keys)) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(views.allSatisfy { $0.reachable }, "every host reaches the store")
        #expect(works.isSubset(of: Set(views[0].holders.keys)), "\(views[0].holders)")
        #expect(views.allSatisfy { $0.holders == views[0].holders }, "one holder per work, as every host sees it")
        for work in works {
            #expect(views.filter { $0.mine.contains(work) }.count == 1, "\(work) is exactly one host's")
        }

        // Every host serves the same event log, in the same order.
        var logs: [[String]] = []
        for host in hosts {
            let page = try JSONParser.parse(try await http.send(.init(url: host.base + "/v1/events/poll?after=0&limit=500")).body)
            if case .array(let events)? = page["events"] { logs.append(events.compactMap { $0["id"]?.stringValue }) }
        }
        #expect(logs.count == 3 && logs.allSatisfy { $0 == logs[0] })

        // SIGKILL the host holding the contact sync: another takes it over within the lease's 15 s.
        let index = try #require(views.firstIndex { $0.mine.contains("acme-salesforce/users") })
        let victim = hosts.remove(at: index)
        let killedAt = ContinuousClock.now
        victim.process.signal(SIGKILL)
        var newHolder: String?
        while newHolder == nil, ContinuousClock.now - killedAt < .seconds(40) {
            for host in hosts where try await Self.leases(http, host.base).mine.contains("acme-salesforce/users") { newHolder = host.name }
            if newHolder == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let takeover = ContinuousClock.now - killedAt
        #expect(newHolder != nil, "a surviving host took the contact sync over")
        #expect(takeover < .seconds(25), "within the lease (15 s) and a renewal (5 s): \(takeover)")
        print("multi-host: contact sync taken over by host \(newHolder ?? "none") \(takeover) after SIGKILL")
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
