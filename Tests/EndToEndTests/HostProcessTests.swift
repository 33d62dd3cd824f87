import ConnectorKitTesting
import Foundation
import Testing

/// The built `switchboard` binary, as an admin would run it.
@Suite("switchboard binary: validate, run, signals", .serialized)
struct HostProcessTests {
    let directory: String
    let canaries = SecretCanaries(count: 2, tag: "e2e")

    init() throws {
        directory = NSTemporaryDirectory() + "switchboard-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
            version: 1
            host:
              listen: 127.0.0.1:0
              api_token: ${SWITCHBOARD_API_TOKEN:-}
              shutdown_timeout: 5s
            vault:
              path: state/vault.json
            connectors: {}
            """.write(toFile: directory + "/connectors.yaml", atomically: false, encoding: .utf8)
    }

    var environment: [String: String] {
        ["SWITCHBOARD_API_TOKEN": canaries.values[0], "SWITCHBOARD_MASTER_KEY": "bm90LWEtcmVhbC1rZXktYnV0LWEtY2FuYXJ5LXZhbHVl", "OTHER": canaries.values[1]]
    }

    @Test func validateAcceptsAGoodFileAndRejectsABadOne() async throws {
        let good = try await SwitchboardProcess.run(["validate"], in: directory)
        #expect(good.status == 0, "\(good.output)")
        #expect(good.stdout.contains("connectors.yaml: valid — 0 connectors"))

        try "version: 1\nhost:\n  listen: 0.0.0.0:80\n  api_token: ${MISSING}\nconnectors:\n  x: { module: nosuch, features: [ticketing] }\n"
            .write(toFile: directory + "/bad.yaml", atomically: false, encoding: .utf8)
        let bad = try await SwitchboardProcess.run(["validate", "--config", "bad.yaml"], in: directory, environment: environment)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.yaml:4:14: host.api_token: environment variable MISSING is not set"), "\(bad.stderr)")
        #expect(bad.stderr.contains("bad.yaml:6:16: connectors.x.module: unknown module 'nosuch'"), "\(bad.stderr)")
        #expect(bad.stderr.contains("2 errors in bad.yaml"), "no follow-on error about the listen address: \(bad.stderr)")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func runShutsDownGracefullyOnSignal(signal: Int32) async throws {
        let host = try SwitchboardProcess.Running(
            ["run", "--log-level", "trace", "--log-format", "json"], directory: directory, environment: environment)
        try await host.waitForStderr("switchboard host started")
        let sent = ContinuousClock.now
        host.signal(signal)
        let result = try await host.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result.output)")
        #expect(ContinuousClock.now - sent < .seconds(5), "graceful shutdown is prompt")
        #expect(result.stderr.contains("shutting down gracefully"))
        #expect(result.stderr.contains("switchboard stopped"))
        #expect(canaries.leaks(in: result.output).isEmpty, "secret in output: \(result.output)")
        #expect(!result.output.contains("bm90LWEtcmVhbC1rZXkt"), "master key in output")
        for line in result.stderr.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
    }

    @Test func runRefusesABadConfigurationAndBadSelections() async throws {
        try "version: 1\nconnectors:\n  x: { module: nope, features: [ticketing] }\n".write(toFile: directory + "/bad.yaml", atomically: false, encoding: .utf8)
        let bad = try await SwitchboardProcess.run(["run", "--config", "bad.yaml"], in: directory)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.yaml:3:16: connectors.x.module: unknown module 'nope'"))
        #expect(bad.stderr.contains("switchboard did not start"))

        let only = try await SwitchboardProcess.run(["run", "--only", "ghost"], in: directory)
        #expect(only.status == 1)
        #expect(only.stderr.contains("--only names connectors that are not configured: ghost"), "\(only.stderr)")

        // The listen override keeps the rules of the file's own address.
        let malformed = try await SwitchboardProcess.run(["run", "--listen", "nowhere"], in: directory)
        #expect(malformed.status != 0 && malformed.stderr.contains("is not an address"), "\(malformed.stderr)")
        let open = try await SwitchboardProcess.run(["run", "--listen", "0.0.0.0:0"], in: directory)
        #expect(open.status == 1 && open.stderr.contains("host.api_token must be set"), "\(open.stderr)")
    }

    @Test func helpTeaches() async throws {
        let help = try await SwitchboardProcess.run(["run", "--help"], in: directory)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--features"))
        #expect(help.stdout.contains("switchboard run --features ticketing,live-agent"))
        let modules = try await SwitchboardProcess.run(["modules", "--host"], in: directory)
        #expect(modules.status == 0)
        #expect(modules.stdout.contains("listen: address HOST:PORT, default 127.0.0.1:8710"))
    }
}
