import ConnectorKit
import Foundation
@testable import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// One feature failing is not the connector failing: the others keep serving, the failing one is
/// retried on its own and reported degraded (readiness stays), and it recovers by itself.
@Suite("salesforce module: a failing feature is isolated", .serialized)
struct FeatureIsolationTests {
    @Test func aFailingSyncLeavesTicketingServingAndRecovers() async throws {
        try await ModuleRig.with(contacts: 50, features: "ticketing, user-ingestion",
                                 sections: "    user-ingestion: { schedule: 1s }\n    ticketing: { watch_interval: 1s }") { rig in
            let (sandbox, connector, store) = (rig.sandbox, rig.connector, rig.store)
            // Every contact sync query fails with a platform error (retries included); the other queries do not.
            sandbox.faults.add(FaultRule(path: "/services/data/v62.0/query", queryContains: "SystemModstamp FROM Contact", status: 500))
            let running = Task { try await connector.run() }
            try await Self.eventually("the contact sync to be reported failing") {
                await connector.check().checks.contains { $0.name == "users" && $0.status == .degraded && $0.detail.contains("retried") }
            }
            let report = await connector.check()
            #expect(report.status == .degraded, "degraded, not unhealthy: \(report.checks)")
            let ticket = try await #require(connector.ticketing).createTicket(
                NewTicket(requesterEmail: Self.email(sandbox), subject: "Still works", idempotencyKey: "iso-1"))
            #expect(ticket.subject == "Still works", "ticketing serves while the sync fails")
            sandbox.faults.clear()  // the loop was never ended by the failures: it recovers by itself
            try await Self.eventually("the contact sync to recover") {
                await connector.check().checks.contains { $0.name == "users" && $0.status == .healthy }
            }
            #expect(try await store.count(connector: "acme", stream: "users") == 50)
            running.cancel()
            _ = await running.result
        }
    }

    static func email(_ sandbox: SalesforceSandbox) -> String {
        guard case .string(let email)? = sandbox.org.records("Contact").first?["Email"] else { return "" }
        return email
    }

    @Test func backoffDoublesUpToTheInterval() {
        #expect(ScheduledWork.backoff(failures: 1, interval: .seconds(900), random: 0) == .seconds(1))
        #expect(ScheduledWork.backoff(failures: 4, interval: .seconds(900), random: 0) == .seconds(8))
        #expect(ScheduledWork.backoff(failures: 30, interval: .seconds(900), random: 0) == ScheduledWork.maximumBackoff)
        #expect(ScheduledWork.backoff(failures: 30, interval: .seconds(10), random: 0) == .seconds(10), "never longer than the schedule")
        #expect(ScheduledWork.backoff(failures: 2, interval: .seconds(900), random: 1) == .milliseconds(1600), "up to 20 % shorter")
    }

    static func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }
}
