import ConnectorKit
import Foundation
import Logging
import Synchronization
import Testing

/// The shared loop of every periodic feature: failures retried on their own with backoff, pauses
/// until the next interval, each round recorded as a health check — without waiting (test clock).
@Suite("ScheduledWork: one loop for every sync and watcher")
struct ScheduledWorkTests {
    @Test func failuresAreRetriedPausesWaitAndEveryRoundIsRecorded() async throws {
        let sleeps = Mutex<[Duration]>([])
        let health = HealthChecks()
        let statuses = Mutex<[String]>([])
        let clock = ConnectorClock(now: { Date() }, sleep: { duration in
            statuses.withLock { $0.append(health.all.map { "\($0.status.rawValue): \($0.detail)" }.joined()) }
            let count = sleeps.withLock { $0.append(duration); return $0.count }
            if count == 4 { throw CancellationError() }  // end the loop after four rounds
        })
        let store = MemoryStore()
        let http = HTTPTransport(logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        let context = ConnectorContext(connectorName: "csv", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/", environment: [:])),
                                       http: http, store: store, sink: store, events: store, handoffs: store,
                                       logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), clock: clock)
        let round = Mutex(0)
        await ScheduledWork(name: "csv sync", check: "users", interval: .seconds(900), context: context, health: health).run {
            let n = round.withLock { $0 += 1; return $0 }
            switch n {
            case 1: throw ConnectorError.unavailable("the file server is down")
            case 2: throw ConnectorError.unavailable("still down")
            case 3: throw ConnectorError.rateLimited("slow down", retryAfterSeconds: nil)
            default: return "42 rows"
            }
        }
        let delays = sleeps.withLock { $0 }
        #expect(delays.count == 4)
        #expect(delays[0] >= .milliseconds(800) && delays[0] <= .seconds(1), "first retry after about a second")
        #expect(delays[1] >= .milliseconds(1600) && delays[1] <= .seconds(2), "then doubled")
        #expect(delays[2] == .seconds(900) && delays[3] == .seconds(900), "a pause and a success wait for the interval")
        #expect(statuses.withLock { $0 } == [
            "degraded: failing, retried on its own: the file server is down", "degraded: failing, retried on its own: still down",
            "degraded: paused: slow down; resumes from its checkpoint", "healthy: 42 rows",
        ])
        try await http.shutdown()
    }
}
