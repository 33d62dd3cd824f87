import ConnectorKit
import Foundation
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// The `salesforce` module as the host builds it from connectors.yaml: a rate limit pauses a sync
/// (readiness shows it), and the next run resumes from the checkpoint.
@Suite("salesforce module: rate limits pause and resume", .serialized)
struct RateLimitTests {
    @Test func aRateLimitedSyncPausesThenResumesFromItsCheckpoint() async throws {
        try await ModuleRig.with(contacts: 450, features: "user-ingestion", sections: "    user-ingestion: { batch_size: 200 }") { rig in
            let (sandbox, connector, store) = (rig.sandbox, rig.connector, rig.store)
            let users = try #require(connector.userIngestion)

            // The daily limit runs out after the first page.
            sandbox.faults.add(FaultRule(path: "/services/data/v62.0/query/", status: 403, times: 1))
            await #expect(throws: SalesforceAPIError.self) { try await users.syncUsers(mode: .incremental) { _ in } }
            let paused = await connector.check()
            #expect(paused.status == .degraded && paused.checks.contains { $0.detail.contains("paused") && $0.detail.contains("REQUEST_LIMIT_EXCEEDED") })
            #expect(try await store.count(connector: "acme", stream: "users") == 200, "the first page stayed")

            let resumed = try await users.syncUsers(mode: .incremental) { _ in }
            #expect(resumed.upserted == 250, "resumed from the checkpoint")
            #expect(await connector.check().status == .healthy)
        }
    }
}
