import ConnectorKit
import Foundation
import Testing

/// Several `switchboard run` processes on one throwaway PostgreSQL database, each in its own
/// folder with the same configuration (and the same key files), reached over loopback.
final class HostCluster {
    /// One host: its name (`a`, `b`, …), process and base URL.
    struct Host {
        let name: String
        let process: SwitchboardProcess.Running
        let base: String
    }

    let storeURL: String
    let server: String
    let database: String
    let root: String
    private(set) var hosts: [Host] = []

    /// Creates a database on `server` (a `postgres://` URL) for the cluster.
    init(server: String) throws {
        self.server = server
        database = "sb_e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try Self.psql(server, "CREATE DATABASE \(database)")
        var url = URLComponents(string: server)!
        url.path = "/" + database
        url.queryItems = [URLQueryItem(name: "sslmode", value: "disable")]
        storeURL = url.string!
        root = NSTemporaryDirectory() + "switchboard-cluster-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Starts hosts `names` with `config` (its `host.store` already this cluster's) in their own
    /// folders, copying `files` (paths) into each, and waits until each listens.
    func start(_ names: [String], config: String, files: [String] = [], arguments: [String] = ["run"]) async throws {
        for name in names {
            let directory = root + "/" + name
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in files {
                try FileManager.default.copyItem(atPath: file, toPath: directory + "/" + (file as NSString).lastPathComponent)
            }
            try config.write(toFile: directory + "/connectors.yaml", atomically: true, encoding: .utf8)
            let port = try HandoffProcessTests.freePort()
            let process = try SwitchboardProcess.Running(arguments, directory: directory, environment: ["SWITCHBOARD_LISTEN": "127.0.0.1:\(port)"])
            hosts.append(Host(name: name, process: process, base: "http://127.0.0.1:\(port)"))
        }
        for host in hosts { try await host.process.waitForStderr("API listening", timeout: .seconds(60)) }
    }

    /// SIGKILLs a host and forgets it.
    func kill(_ name: String) async throws {
        guard let index = hosts.firstIndex(where: { $0.name == name }) else { return }
        let host = hosts.remove(at: index)
        host.process.signal(SIGKILL)
        _ = try await host.process.wait()
    }

    /// Stops every host (SIGTERM) and drops the database (closing their connections).
    func finish() {
        for host in hosts { host.process.signal(SIGTERM) }
        _ = try? Self.psql(server, "DROP DATABASE \(database) WITH (FORCE)")
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs SQL against the cluster's database; its output, unaligned, without headers.
    @discardableResult
    func sql(_ statement: String) throws -> String { try Self.psql(storeURL.replacingOccurrences(of: "?sslmode=disable", with: ""), statement) }

    /// One integer a query returns.
    func count(_ statement: String) throws -> Int {
        let text = try sql(statement).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int(text) else { throw HandoffProcessTests.SwitchboardProcessError("not a number from \(statement): \(text)") }
        return value
    }

    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HandoffProcessTests.SwitchboardProcessError("psql failed: \(sql)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// `/readyz`'s store part as one host sees it: whether it reaches the store, the scheduled
    /// work it holds, every work's holder, and the live-agent streams it follows.
    static func leases(_ http: HTTPTransport, _ base: String) async throws -> (reachable: Bool, mine: Set<String>, holders: [String: String], streams: Int) {
        let response = try await http.send(.init(url: base + "/readyz"))
        let json = try JSONParser.parse(response.body)
        var mine: Set<String> = [], holders: [String: String] = [:], streams = 0
        if case .array(let leases)? = json["store"]?["leases"] {
            for lease in leases {
                guard let name = lease["name"]?.stringValue, let holder = lease["holder"]?.stringValue,
                      case .number(let left)? = lease["expiresInSeconds"], left > 0 else { continue }
                holders[name] = holder
                if lease["mine"] == .bool(true) { mine.insert(name) }
            }
        }
        if case .array(let counts)? = json["store"]?["streams"] {
            for count in counts where count["mine"] == .bool(true) {
                if case .integer(let value)? = count["streams"] { streams = Int(value) }
            }
        }
        return (json["store"]?["reachable"] == .bool(true), mine, holders, streams)
    }
}
