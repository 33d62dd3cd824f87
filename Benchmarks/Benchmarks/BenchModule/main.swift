import ConnectorKit
import Foundation
import ModuleProtocol
import ServiceLifecycle

// A module for ModuleLoad, served over the protocol: `check` answers at once (a pure round trip),
// and its user sync makes `users` records in pages of 1,000, each committed with its checkpoint.
await ModuleServer.serve(BenchModule())

struct BenchModule: ConnectorModule {
    let name = "bench"
    let summary = "Generated users, for the protocol benchmark."
    let features: [Feature] = [.userIngestion]
    var settings: SettingsSchema {
        SettingsSchema([SettingField("users", .integer(min: 0), default: .integer(100_000), summary: "How many users a sync makes.")])
    }
    func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        BenchConnection(count: try configuration.settings.requiredInteger("users"), context: context)
    }
}

struct BenchConnection: Connector, UserIngestion {
    let count: Int
    let context: ConnectorContext
    var userIngestion: (any UserIngestion)? { self }

    func run() async throws { try? await gracefulShutdown() }
    func check() async -> HealthReport { .healthy() }

    func syncUsers(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
        let stamp = Date(timeIntervalSince1970: 1_767_225_600)
        var index = 0, pages = 0
        while index < count {
            let end = min(index + 1000, count)
            let users = (index..<end).map { n in
                SyncRecord.user(UserRecord(id: "B\(n)", email: "user\(n)@bench.example", firstName: "First\(n)", lastName: "Last\(n)",
                                           fields: ["Department": "D\(n % 50)"], modifiedAt: stamp))
            }
            try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: .users, upserts: users, checkpoint: String(end)))
            index = end
            pages += 1
        }
        return SyncReport(upserted: count, deleted: 0, pages: pages)
    }
}
