import ConnectorKitTesting
import Foundation
import Testing

@Suite("switchboard vault: init, set, list, remove as processes", .serialized)
final class VaultProcessTests {
    let directory: String
    let canary = SecretCanaries(count: 1, tag: "vault").values[0]

    init() throws {
        directory = NSTemporaryDirectory() + "switchboard-vault-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// `vault init` with no key set prints a fresh master key as an export line.
    func initVault() async throws -> [String: String] {
        let result = try await SwitchboardProcess.run(["vault", "init"], in: directory)
        #expect(result.status == 0, "\(result.output)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("export SWITCHBOARD_MASTER_KEY=") })
        return ["SWITCHBOARD_MASTER_KEY": String(line.dropFirst("export SWITCHBOARD_MASTER_KEY=".count))]
    }

    @Test func fullAdminPath() async throws {
        let env = try await initVault()
        let vaultPath = directory + "/.switchboard/vault.json"
        #expect(try FileManager.default.attributesOfItem(atPath: vaultPath)[.posixPermissions] as? Int == 0o600)
        try (canary + "\n").write(toFile: directory + "/key.pem", atomically: false, encoding: .utf8)
        let set = try await SwitchboardProcess.run(["vault", "set", "sf-jwt-key", "--from-file", "key.pem"], in: directory, environment: env)
        #expect(set.status == 0, "\(set.output)")
        let stdin = try await SwitchboardProcess.run(["vault", "set", "api", "--from-stdin"], in: directory, environment: env, stdin: Data("tok-\(canary)".utf8))
        #expect(stdin.status == 0, "\(stdin.output)")
        let list = try await SwitchboardProcess.run(["vault", "list"], in: directory)
        #expect(list.status == 0, "list needs no master key: \(list.output)")
        #expect(list.stdout.contains("sf-jwt-key  \(canary.utf8.count + 1)"), "\(list.stdout)")
        #expect(list.stdout.contains("api"))
        let remove = try await SwitchboardProcess.run(["vault", "remove", "api"], in: directory, environment: env)
        #expect(remove.status == 0)
        let again = try await SwitchboardProcess.run(["vault", "remove", "api"], in: directory, environment: env)
        #expect(again.status == 1 && again.stderr.contains("no entry 'api'"))
        for result in [set, stdin, list, remove, again] { #expect(!result.output.contains(canary), "value echoed: \(result.output)") }
        #expect(!(try String(contentsOfFile: vaultPath, encoding: .utf8)).contains(canary))
    }

    @Test func clearErrorsForWrongKeyTamperingAndSize() async throws {
        let env = try await initVault()
        _ = try await SwitchboardProcess.run(["vault", "set", "a", "--from-stdin"], in: directory, environment: env, stdin: Data("value".utf8))
        let wrong = try await SwitchboardProcess.run(["vault", "set", "b", "--from-stdin"], in: directory,
            environment: ["SWITCHBOARD_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="], stdin: Data("x".utf8))
        #expect(wrong.status == 1 && wrong.stderr.contains("master key does not open the vault"), "\(wrong.stderr)")
        let missing = try await SwitchboardProcess.run(["vault", "set", "b", "--from-stdin"], in: directory, stdin: Data("x".utf8))
        #expect(missing.status == 1 && missing.stderr.contains("SWITCHBOARD_MASTER_KEY is not set"), "\(missing.stderr)")
        let big = try await SwitchboardProcess.run(["vault", "set", "big", "--from-stdin"], in: directory, environment: env,
                                                    stdin: Data(repeating: 65, count: 11 * 1024))
        #expect(big.status == 1 && big.stderr.contains("limited to 10240 bytes (10 KiB)"), "\(big.stderr)")
        let both = try await SwitchboardProcess.run(["vault", "set", "c", "--from-stdin", "--from-file", "x"], in: directory, environment: env)
        #expect(both.status != 0 && both.stderr.contains("exactly one of --from-file PATH or --from-stdin"))
        let again = try await SwitchboardProcess.run(["vault", "init"], in: directory, environment: env)
        #expect(again.status == 1 && again.stderr.contains("refusing to overwrite"))
    }

    @Test func concurrentSetsFromSeparateProcessesAllLand() async throws {
        let env = try await initVault()
        let processes = try (0..<8).map { index in
            try SwitchboardProcess.Running(["vault", "set", "entry-\(index)", "--from-stdin"], directory: directory, environment: env,
                                           stdin: Data("value-\(index)".utf8))
        }
        for process in processes {
            let result = try await process.wait()
            #expect(result.status == 0, "\(result.output)")
        }
        let list = try await SwitchboardProcess.run(["vault", "list", "--json"], in: directory)
        let entries = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(entries?.compactMap { $0["name"] as? String }.sorted() == (0..<8).map { "entry-\($0)" }.sorted())
    }
}
