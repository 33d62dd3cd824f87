import ConnectorKit
import Foundation
import Logging
import SalesforceSandbox
import Synchronization

// HTTP requests/s through the host's shared HTTPTransport to the sandbox org over loopback:
// N concurrent callers (default 64) for S seconds (default 10), each request an authenticated
// SOQL query (`SELECT Id, Email FROM Contact LIMIT 10`, ~1.5 KB of JSON), plus latency percentiles.
// Client and server share this process and its 2 cores, so the figure is a floor for either.

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let callers = arguments.first ?? 64
let seconds = arguments.dropFirst().first ?? 10
let quiet = Logger(label: "load", factory: { _ in SwiftLogNoOpLogHandler() })

struct Fixed: AccessTokenSource {
    let value: String
    func token() async throws -> String { value }
    func invalidate(_ token: String) {}
}

try await SalesforceSandbox.withRunning(logger: quiet) { sandbox in
    let base = await sandbox.baseURL()
    var configuration = HTTPTransport.Configuration()
    configuration.maxConcurrentPerHost = callers
    let transport = HTTPTransport(configuration: configuration, logger: quiet)
    let auth = Fixed(value: sandbox.org.issueToken(username: SeedData.integrationUsername))
    let url = base + "/services/data/v62.0/query?q=SELECT+Id,+Email+FROM+Contact+LIMIT+10"
    // Warm up: open connections.
    for _ in 0..<callers { _ = try await transport.send(.init(url: url, authorization: auth)) }
    let deadline = ContinuousClock.now + .seconds(seconds)
    let started = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for _ in 0..<callers {
            group.addTask {
                var mine: [Duration] = []
                while ContinuousClock.now < deadline {
                    let t0 = ContinuousClock.now
                    let response = try await transport.send(.init(url: url, authorization: auth))
                    precondition(response.status == 200, "HTTP \(response.status)")
                    mine.append(ContinuousClock.now - t0)
                }
                return mine
            }
        }
        return try await group.reduce(into: [Duration]()) { $0 += $1 }
    }
    let elapsed = ContinuousClock.now - started
    let sorted = latencies.sorted()
    func ms(_ d: Duration) -> String { String(format: "%.2f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
    let rate = Double(latencies.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    print("HTTP load: \(callers) callers, \(seconds) s, \(latencies.count) requests")
    print(String(format: "  %.0f requests/s", rate))
    print("  latency p50 \(ms(sorted[sorted.count / 2]))  p90 \(ms(sorted[sorted.count * 9 / 10]))  p99 \(ms(sorted[sorted.count * 99 / 100]))  max \(ms(sorted.last!))")
    try await transport.shutdown()
}
