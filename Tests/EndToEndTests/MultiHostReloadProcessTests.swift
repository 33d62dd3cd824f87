import ConnectorKit
import Foundation
import Testing

extension MultiHostProcessTests {
    /// Two hosts started from one folder on one PostgreSQL database: `switchboard reload` signals
    /// each (their run locks are `.switchboard/hosts/PID.run-lock`) and prints each one's answer;
    /// a host that died is skipped (its lock file is left, but nobody holds it).
    @Test(.enabled(if: postgresURL != nil), .timeLimit(.minutes(3))) func reloadReachesEveryHostOfTheFolder() async throws {
        let server = try #require(Self.postgresURL)
        let rig = try await ManualAgentRig.start(name: "multihost-reload", keyID: "e2e-1", issuer: "https://e2e.example", uploadedKey: true)
        defer { rig.finish() }
        let cluster = try HostCluster(server: server)
        defer { cluster.finish() }
        let http = HTTPTransport(logger: Self.quiet)
        defer { Task { try? await http.shutdown() } }
        func config(_ names: [String]) -> String {
            """
            version: 1
            host: { store: "\(cluster.storeURL)", shutdown_timeout: 5s }
            connectors:
            \(names.map { ReloadProcessTests.liveAgentConnector($0, rig: rig) }.joined(separator: "\n"))
            """
        }
        let directory = rig.directory
        try ReloadProcessTests.write(config(["acme"]), to: directory)
        var hosts: [(process: SwitchboardProcess.Running, base: String)] = []
        for _ in 0..<2 {
            let port = try HandoffProcessTests.freePort()
            hosts.append((try SwitchboardProcess.Running(["run"], directory: directory, environment: ["SWITCHBOARD_LISTEN": "127.0.0.1:\(port)"]),
                          "http://127.0.0.1:\(port)"))
        }
        defer { for host in hosts { host.process.signal(SIGKILL) } }
        for host in hosts { try await host.process.waitForStderr("API listening", timeout: .seconds(60)) }

        try ReloadProcessTests.write(config(["acme", "extra"]), to: directory)
        let reload = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(reload.status == 0, "\(reload.output)")
        for host in hosts {
            #expect(reload.stdout.contains("host pid \(host.process.process.processIdentifier): reloaded connectors.yaml: configuration generation 2"),
                    "\(reload.output)")
            #expect(try await ReloadProcessTests.connectors(http, host.base) == (["acme", "extra"], 2))
        }

        // One host dies; the next reload reaches the other and says nothing of the dead one.
        hosts[0].process.signal(SIGKILL)
        _ = try await hosts[0].process.wait()
        try ReloadProcessTests.write(config(["extra"]), to: directory)
        let again = try await SwitchboardProcess.run(["reload"], in: directory)
        #expect(again.status == 0 && again.stdout.contains("configuration generation 3") && again.stdout.contains("removed: acme")
                && !again.stdout.contains("host pid"), "\(again.output)")
        #expect(try await ReloadProcessTests.connectors(http, hosts[1].base) == (["extra"], 3))
        hosts[1].process.signal(SIGTERM)
        #expect(try await hosts[1].process.wait().status == 0)
        // A host that stopped cleanly leaves no run lock or answer behind; the SIGKILLed one's stay (unheld).
        let left = try FileManager.default.contentsOfDirectory(atPath: directory + "/.switchboard/hosts").sorted()
        let dead = hosts[0].process.process.processIdentifier
        #expect(left == ["\(dead).reload.json", "\(dead).run-lock"], "\(left)")
    }
}
