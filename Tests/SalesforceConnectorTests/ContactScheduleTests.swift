import ConnectorKit
import Foundation
@testable import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// Which contact sync the host's schedule runs next, given what already ran — through the module as
/// the host and `switchboard sync` build it.
@Suite("salesforce module: the scheduled contact sync", .serialized)
struct ContactScheduleTests {
    /// `switchboard sync --full` (the connector's `syncUsers(mode: .full)`) counts toward
    /// `full_every`: the host's next scheduled run is incremental, not another full read. An
    /// interrupted full run makes the next scheduled run full (it resumes).
    @Test func aFullSyncFromTheCLICountsTowardFullEvery() async throws {
        try await ModuleRig.with(contacts: 450, features: "user-ingestion", sections: "    user-ingestion: { batch_size: 200, full_every: 1h }",
                                 maxAttempts: 1) { rig in
            let connection = try #require(rig.connector as? SalesforceConnection)
            let now = Date()
            #expect(try await connection.scheduledContactMode(now: now) == .full, "nothing ran yet")
            _ = try await connection.syncUsers(mode: .full) { _ in }
            #expect(try await connection.scheduledContactMode(now: now) == .incremental, "the CLI's full read counts")
            #expect(try await connection.scheduledContactMode(now: now.addingTimeInterval(3700)) == .full, "full_every later")

            rig.sandbox.faults.add(FaultRule(path: "/services/data/v62.0/query/", status: 400, times: 1))
            await #expect(throws: (any Error).self) { try await connection.syncUsers(mode: .full) { _ in } }
            #expect(try await connection.scheduledContactMode(now: now) == .full, "an interrupted full read goes on at the next run")
        }
    }
}
