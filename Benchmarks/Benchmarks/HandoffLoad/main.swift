import ConnectorKit
import Foundation
import Logging
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost

// N concurrent open handoffs in one host process against the sandbox (this process), then the
// relay latency of agent messages: from the sandbox agent's message to its arrival on the host's
// /v1/events. Prints the host's RSS per handoff and latency p50/p99.
//
//   swift run -c release HandoffLoad [handoffs] [messages]
//
// The host is this same executable re-launched with `--host CONFIG` (HostRuntime with the SQLite
// store and the salesforce module, as `switchboard run` runs it), so it is a separate process.

let quiet = Logger(label: "handoff-load", factory: { _ in SwiftLogNoOpLogHandler() })
let arguments = Array(CommandLine.arguments.dropFirst())

if arguments.first == "--host", arguments.count >= 2 {
    let configuration = try ConfigLoader(registry: ModuleRegistry([SalesforceModule()])).load(path: arguments[1])
    let store = try SQLiteStore(path: (arguments[1] as NSString).deletingLastPathComponent + "/state.db")
    let runtime = try HostRuntime(configuration: configuration, registry: ModuleRegistry([SalesforceModule()]), storage: .sqlite(store), logger: quiet)
    try await runtime.run()
    exit(0)
}

let handoffs = arguments.first.flatMap(Int.init) ?? 1_000
let messages = arguments.dropFirst().first.flatMap(Int.init) ?? 2_000

func rssMegabytes(pid: Int32) -> Double {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

/// CPU seconds (user + system) a process has used so far.
func cpuSeconds(pid: Int32) -> Double {
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / 100
}

func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length); return getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

let key = try KeyGenerator.generate(bits: 2048, keyID: "bench-1", subject: "CN=bench", days: 30)
var sandboxConfiguration = SandboxConfiguration()
sandboxConfiguration.seed = SeedData(seed: 1, contacts: 10, cases: 0, articles: 0)
sandboxConfiguration.messaging.issuer = "https://bench.example"
sandboxConfiguration.messaging.uploadedKeys = [key.jwk.json.description]
sandboxConfiguration.messaging.script = nil
sandboxConfiguration.messaging.tokenLifetime = .seconds(86_400)
let directory = NSTemporaryDirectory() + "switchboard-handoffload-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
try key.privateKeyPEM.withRevealedBytes { try Data($0).write(to: URL(fileURLWithPath: directory + "/key.pem")) }

try await SalesforceSandbox.withRunning(configuration: sandboxConfiguration, logger: quiet) { sandbox in
    let sandboxURL = await sandbox.baseURL()
    let port = freePort()
    let base = "http://127.0.0.1:\(port)"
    try """
        version: 1
        host: { listen: "127.0.0.1:\(port)", store: "sqlite:state.db", shutdown_timeout: 10s }
        connectors:
          bench:
            module: salesforce
            features: [live-agent]
            org: { login_url: "\(sandboxURL)" }
            auth: { consumer_key: unused, username: integration@sandbox.switchboard.example, private_key: file:key.pem }
            live-agent:
              scrt_url: "\(sandboxURL)"
              org_id: 00DSBX000000001AAA
              es_developer_name: Support_API
              key_id: bench-1
              issuer: https://bench.example
              private_key: file:key.pem
        """.write(toFile: directory + "/connectors.yaml", atomically: false, encoding: .utf8)
    let host = Process()
    host.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    host.arguments = ["--host", directory + "/connectors.yaml"]
    host.currentDirectoryURL = URL(fileURLWithPath: directory)
    try host.run()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var configuration = HTTPTransport.Configuration()
    configuration.maxConcurrentPerHost = 64
    configuration.attemptTimeout = .seconds(120)
    configuration.readTimeout = .seconds(120)
    let http = HTTPTransport(configuration: configuration, logger: quiet)
    while (try? await http.send(.init(url: base + "/healthz")))?.status != 200 { try await Task.sleep(for: .milliseconds(100)) }
    try await Task.sleep(for: .seconds(1))
    let baseline = rssMegabytes(pid: host.processIdentifier)
    print("host up; RSS \(String(format: "%.1f", baseline)) MB before any handoff")

    // N handoffs, one employee each (so N event streams), 64 requests in flight.
    let started = ContinuousClock.now
    let conversations = try await withThrowingTaskGroup(of: String.self) { group in
        var ids: [String] = []
        var next = 0
        func add() {
            let n = next
            next += 1
            group.addTask {
                let response = try await http.send(.init(method: "POST", url: base + "/v1/handoffs", headers: [("Content-Type", "application/json")],
                                                          body: Array(#"{"employeeId":"bench-\#(n)","topic":"Access"}"#.utf8)))
                guard response.status == 201, let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                      let conversation = json["conversationId"] as? String else {
                    throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: String(decoding: response.body, as: UTF8.self)])
                }
                return conversation
            }
        }
        for _ in 0..<min(64, handoffs) { add() }
        while let conversation = try await group.next() {
            ids.append(conversation)
            if next < handoffs { add() }
        }
        return ids
    }
    let created = ContinuousClock.now - started
    print("\(handoffs) handoffs started in \(created) (\(Int(Double(handoffs) / (Double(created.components.seconds) + Double(created.components.attoseconds) / 1e18))) /s)")
    while sandbox.org.stats.requestsByRoute["GET /eventrouter/v1/sse", default: 0] < handoffs { try await Task.sleep(for: .milliseconds(100)) }
    try await Task.sleep(for: .seconds(3))
    let cpuBefore = cpuSeconds(pid: host.processIdentifier)
    try await Task.sleep(for: .seconds(10))
    print(String(format: "host CPU while the streams idle (pings only): %.0f%% of one core", (cpuSeconds(pid: host.processIdentifier) - cpuBefore) * 10))
    let loaded = rssMegabytes(pid: host.processIdentifier)
    print(String(format: "%d event streams open; host RSS %.1f MB → %.1f KB per open handoff", handoffs, loaded, (loaded - baseline) * 1024 / Double(handoffs)))

    // Relay latency: agent messages spread over the conversations, 200 per second.
    let events = http.events(.init(url: base + "/v1/events"))
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        group.addTask {
            var iterator = events.makeAsyncIterator()
            var seen: [Double] = []
            while seen.count < messages, let event = try await iterator.next() {
                guard event.type == "handoff.agent_message", let range = event.data.range(of: "sent-at-"),
                      let sent = Double(event.data[range.upperBound...].prefix { $0.isNumber || $0 == "." }) else { continue }
                seen.append((Date().timeIntervalSince1970 - sent) * 1000)
            }
            return seen
        }
        try await Task.sleep(for: .milliseconds(500))
        for n in 0..<messages {
            let conversation = conversations[(n * 7919) % conversations.count]
            sandbox.messaging.agentMessage(conversationId: conversation, text: "sent-at-\(Date().timeIntervalSince1970)")
            try await Task.sleep(for: .milliseconds(5))
        }
        let result = try await group.next() ?? []
        group.cancelAll()
        return result
    }
    let sorted = latencies.sorted()
    print(String(format: "relay latency over %d agent messages (sandbox agent → host /v1/events): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                 sorted.count, percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.last ?? 0))
    print(String(format: "host RSS at the end: %.1f MB", rssMegabytes(pid: host.processIdentifier)))
    host.terminate()
    host.waitUntilExit()
    try? await http.shutdown()
}
