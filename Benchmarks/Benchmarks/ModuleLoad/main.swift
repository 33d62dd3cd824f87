import ConnectorKit
import Foundation
import Logging
import SwitchboardHost

// The external module protocol's cost, measured through the host's real path (ExternalModule →
// ExternalConnector → child process → SQLite store):
//   swift run -c release ModuleLoad [users] [calls]
// 1. round trip of a feature call (`check`) to the Swift BenchModule and to the Python example: p50/p99;
// 2. records/s of a full user sync streamed from BenchModule (pages of 1,000) and from the Python
//    example (one CSV file) into a fresh SQLite store.
/// Prints a line at once (stdout to a pipe is buffered; a crash would lose it).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let users = arguments.first ?? 200_000
let calls = arguments.dropFirst().first ?? 20_000
let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let folder = NSTemporaryDirectory() + "module-load-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: folder + "/people", withIntermediateDirectories: true)
try FileManager.default.createDirectory(atPath: folder + "/docs", withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
let http = HTTPTransport(logger: quiet)

func connector(_ declaration: ExternalModuleDeclaration, yaml: String, store: SQLiteStore) async throws -> any Connector {
    let module = try await ExternalModule.describe(declaration, logger: quiet)
    let configuration = try ConnectorDeclarations.read(yaml, modules: [module], baseDirectory: folder)[0]
    let vault = CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: folder, environment: [:]))
    let context = ConnectorContext(connectorName: configuration.name, vault: vault, http: http, store: store, sink: store, events: store,
                                   users: store, handoffs: store, logger: quiet)
    return try module.makeConnector(configuration: configuration, context: context)
}

func percentile(_ sorted: [Duration], _ p: Double) -> Duration { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
func ms(_ duration: Duration) -> String { String(format: "%.3f ms", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000) }

func measure(_ label: String, _ connector: any Connector, calls: Int, users: Int, store: SQLiteStore) async throws {
    for _ in 0..<200 { _ = await connector.check() }  // warm up
    var samples: [Duration] = []
    samples.reserveCapacity(calls)
    for _ in 0..<calls {
        let started = ContinuousClock.now
        _ = await connector.check()
        samples.append(ContinuousClock.now - started)
    }
    samples.sort()
    say("\(label): check round trip over \(calls) calls: p50 \(ms(percentile(samples, 0.5))), p99 \(ms(percentile(samples, 0.99))), max \(ms(samples.last!))")
    let started = ContinuousClock.now
    let report = try await connector.syncs.first!.run(.full) { _ in }
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    say("\(label): full sync of \(report.upserted) users into SQLite in \(String(format: "%.2f", seconds)) s = \(Int(Double(report.upserted) / seconds)) records/s"
          + " (stored: \(try await store.count(connector: "bench", stream: "users") + store.count(connector: "hr", stream: "users")))")
}

let swiftStore = try SQLiteStore(path: folder + "/swift.db")
let swiftConnector = try await connector(
    ExternalModuleDeclaration(name: "bench", command: here + "/BenchModule", workingDirectory: folder),
    yaml: "bench:\n  module: bench\n  features: [user-ingestion]\n  users: \(users)\n", store: swiftStore)
try await measure("Swift SDK (BenchModule)", swiftConnector, calls: calls, users: users, store: swiftStore)

// The Python example reads one CSV of the same size.
var csv = "id,email,first_name,last_name,department\n"
for n in 0..<users { csv += "P\(n),user\(n)@bench.example,First\(n),Last\(n),D\(n % 50)\n" }
try csv.write(toFile: folder + "/people/all.csv", atomically: true, encoding: .utf8)
let pythonStore = try SQLiteStore(path: folder + "/python.db")
let pythonConnector = try await connector(
    ExternalModuleDeclaration(name: "folder", command: "python3", arguments: [root + "/Examples/modules/folder_module.py"], workingDirectory: folder),
    yaml: "hr:\n  module: folder\n  features: [user-ingestion]\n  people: people\n", store: pythonStore)
try await measure("Python example (folder_module.py)", pythonConnector, calls: calls / 4, users: users, store: pythonStore)
try await http.shutdown()
exit(0)
